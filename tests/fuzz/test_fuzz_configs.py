"""Fuzz every algorithm config and env family config: no clearly invalid value is accepted.

Each property picks a field and a value of one kind — the wrong type, a NaN/infinity, a value
outside the field's choices, an out-of-range value of a field whose range every config shares, or
a known-valid value (the default or a preset's) — constructs the config, and lets
`check_outcome` assert the contract: valid values are accepted, invalid ones raise
``ValueError``/``TypeError`` naming the field.
"""

from __future__ import annotations

import math
import typing
from typing import Any, Literal

import pytest
from fuzz_outcomes import FUZZ, check_outcome
from hypothesis import given, settings
from hypothesis import strategies as st

import hybrid_toolkit as ht
from hybrid_toolkit.utils.config_checks import field_types

ALGO_CONFIGS = {ht.get_algorithm(n).config_class for n in ht.list_algorithms()}
ENV_CONFIGS = {ht.env_spec(n).config_class for n in ht.list_envs()}
CONFIGS = sorted(ALGO_CONFIGS | ENV_CONFIGS, key=lambda c: c.__name__)

INFINITE_OK = {("SwitchedLQRConfig", "state_clip")}
"""Float fields where ``inf`` is a documented setting ("never clip")."""

OUT_OF_RANGE: dict[str, st.SearchStrategy[Any]] = {
    "num_envs": st.integers(-(10**6), 0),
    "batch_size": st.integers(-(10**6), 0),
    "max_steps": st.integers(-(10**6), 0),
    "horizon": st.integers(-(10**6), 0),
    "n_epochs": st.integers(-(10**6), 0),
    "n_minibatches": st.integers(-(10**6), 0),
    "gamma": st.one_of(st.floats(-1e6, -1e-6), st.floats(1.000001, 1e6)),
    "gae_lambda": st.one_of(st.floats(-1e6, -1e-6), st.floats(1.000001, 1e6)),
    "learning_rate": st.floats(-1e6, 0.0),
    "actor_lr": st.floats(-1e6, 0.0),
    "critic_lr": st.floats(-1e6, 0.0),
    "vae_learning_rate": st.floats(-1e6, 0.0),
}
"""Ranges every config that has the field shares (a count of at least one, a discount in
[0, 1], a positive learning rate); values drawn outside them."""


def wrong_type(annotation: Any) -> st.SearchStrategy[Any]:
    """Values whose Python type does not fit ``annotation``."""
    texts = st.text(max_size=5)
    if annotation is int:
        return st.one_of(st.floats(allow_nan=False), st.booleans(), texts, st.none())
    if annotation is float:
        return st.one_of(st.booleans(), texts, st.none(), st.lists(st.floats(), max_size=2))
    if annotation is bool:
        return st.one_of(st.integers(), st.floats(), texts, st.none())
    if annotation is str:
        return st.one_of(st.integers(), st.floats(), st.booleans(), st.none())
    if typing.get_origin(annotation) is Literal:
        return st.one_of(st.integers(), st.floats(), st.booleans(), st.none())
    if typing.get_origin(annotation) is tuple:
        item = typing.get_args(annotation)[0]
        bad_item = st.text(min_size=1, max_size=3) if item is not str else st.integers()
        return st.one_of(
            st.integers(), texts, st.none(), st.lists(bad_item, min_size=2, max_size=3)
        )
    raise AssertionError(f"no wrong-type strategy for {annotation}")


def non_finite(config_name: str, field: str, annotation: Any) -> st.SearchStrategy[Any] | None:
    """NaN/infinities for float fields (and inside float tuples), or ``None`` if none apply."""
    values = st.sampled_from(
        [math.nan] if (config_name, field) in INFINITE_OK else [math.nan, math.inf, -math.inf]
    )
    if annotation is float:
        return values
    if typing.get_origin(annotation) is tuple and typing.get_args(annotation)[0] is float:
        n = 2 if typing.get_args(annotation)[-1] is not Ellipsis else 3
        return values.map(lambda v: tuple([1.0] * (n - 1) + [v]))
    return None


def bad_choice(annotation: Any) -> st.SearchStrategy[Any] | None:
    """Strings outside a ``Literal`` field's choices."""
    if typing.get_origin(annotation) is not Literal:
        return None
    choices = typing.get_args(annotation)
    return st.text(max_size=12).filter(lambda s: s not in choices)


def valid_values(config_class: type, field: str) -> list[Any]:
    """The default (also as an ``int`` for a whole-number float field, as a list for a tuple
    field) and every algorithm preset's value of ``field``."""
    default = getattr(config_class(), field)
    values = [default]
    if isinstance(default, float) and default.is_integer():
        values.append(int(default))
    if isinstance(default, tuple):
        values.append(list(default))
    for name in ht.list_algorithms():
        cls = ht.get_algorithm(name)
        if cls.config_class is config_class:
            values += [p[field] for p in cls.presets.values() if field in p]
    return values


def construct(config_class: type, field: str, value: Any) -> Any:
    return config_class(**{field: value})


def field_strategy(config_class: type) -> st.SearchStrategy[tuple[str, Any, bool]]:
    """``(field, value, valid)`` draws over every field of ``config_class``."""
    name = config_class.__name__
    options: list[st.SearchStrategy[tuple[str, Any, bool]]] = []
    for field, annotation in field_types(config_class).items():
        kinds = [wrong_type(annotation), non_finite(name, field, annotation)]
        kinds += [bad_choice(annotation), OUT_OF_RANGE.get(field)]
        for kind in kinds:
            if kind is not None:
                options.append(kind.map(lambda v, f=field: (f, v, False)))
        options.append(
            st.sampled_from(valid_values(config_class, field)).map(lambda v, f=field: (f, v, True))
        )
    return st.one_of(options)


def make_property(config_class: type) -> Any:
    @FUZZ
    @given(field_strategy(config_class))
    def prop(case: tuple[str, Any, bool]) -> None:
        field, value, valid = case
        check_outcome(
            f"{config_class.__name__}(...)",
            lambda: construct(config_class, field, value),
            valid=valid,
            names=[f"{config_class.__name__}.{field}"],
        )

    return prop


@pytest.mark.parametrize("config_class", CONFIGS, ids=lambda c: c.__name__)
def test_config_fields_refuse_every_clearly_invalid_value(config_class: type) -> None:
    make_property(config_class)()


@settings(FUZZ, max_examples=min(FUZZ.max_examples, 15))
@given(st.data())
def test_algorithm_construction_refuses_wrong_types_naming_the_field(data: st.DataObject) -> None:
    # a few cheap end-to-end constructions: the override path of the user-facing constructor
    name = data.draw(st.sampled_from(["ppo", "dnc", "dgrl"]))
    cls = ht.get_algorithm(name)
    field, annotation = data.draw(st.sampled_from(sorted(field_types(cls.config_class).items())))
    value = data.draw(wrong_type(annotation))
    check_outcome(
        f"{cls.__name__}(env, **overrides)",
        lambda: cls("TargetMultiDiscrete-v0", verbose=0, **{field: value}),
        valid=False,
        names=[f"{cls.config_class.__name__}.{field}"],
    )

"""Type checks of config dataclasses, driven by each field's annotation.

Every algorithm and env family config calls :func:`check_field_types` first in its
``__post_init__``, so direct construction, ``apply_overrides``, ``config_from_json`` and the CLI
all refuse a value of the wrong kind before any range check compares it:

| annotation | accepted values |
|---|---|
| `int` | a Python `int` (numpy integers are not) — not a `bool`, not a `float` (`2.0` neither) |
| `float` | an `int` or `float` (not a `bool`), finite |
| `bool` | `True` or `False` |
| `str` | a `str` |
| `Literal["a", "b"]` | one of the listed values |
| `tuple[X, ...]` | a tuple or list whose items pass `X` (a list is stored as a tuple) |
| `tuple[X, Y]` | a tuple or list of two items passing `X` and `Y` |
| `Optional[X]` (`X` or `None`) | `None` or a value passing `X` |
| anything else | not checked here |

Non-finite floats are refused everywhere except in fields listed in ``allow_infinite`` (which
still refuse NaN): a NaN or infinite hyperparameter never trains anything useful, and it used to
surface much later as a NaN action blamed on the environment.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import types
import typing
from collections.abc import Collection, Mapping
from typing import Any, Literal, Union

_EXPECTED_INT = "an integer (not a bool or a float)"
_EXPECTED_BOOL = "True or False"


_FIELD_TYPES: dict[type, dict[str, Any]] = {}


def field_types(config_class: type) -> dict[str, Any]:
    """Resolved annotations of a config dataclass's fields (the configs postpone annotations)."""
    if config_class not in _FIELD_TYPES:
        hints = typing.get_type_hints(config_class)
        fields = dataclasses.fields(config_class)
        _FIELD_TYPES[config_class] = {f.name: hints[f.name] for f in fields if f.name in hints}
    return _FIELD_TYPES[config_class]


def _is_real(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _problem(annotation: Any, value: object, allow_infinite: bool) -> str | None:
    """What ``value`` should have been, or ``None`` when it matches ``annotation``."""
    origin = typing.get_origin(annotation)
    if annotation is bool:
        return None if isinstance(value, bool) else _EXPECTED_BOOL
    if annotation is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else _EXPECTED_INT
    if annotation is float:
        if not _is_real(value):
            return "a number"
        if math.isnan(value) or (math.isinf(value) and not allow_infinite):  # type: ignore[arg-type]
            return "a finite number" if not allow_infinite else "a number (inf allowed, not NaN)"
        return None
    if annotation is str:
        return None if isinstance(value, str) else "a string"
    if origin is Literal:
        choices = typing.get_args(annotation)
        ok = any(type(value) is type(c) and value == c for c in choices)
        return None if ok else f"one of {choices}"
    if origin in (Union, types.UnionType):
        problems = [_problem(arg, value, allow_infinite) for arg in typing.get_args(annotation)]
        return None if None in problems else " or ".join(p for p in problems if p)
    if annotation is type(None):
        return None if value is None else "None"
    if origin is tuple:
        return _tuple_problem(typing.get_args(annotation), value, allow_infinite)
    return None


def _tuple_problem(args: tuple[Any, ...], value: object, allow_infinite: bool) -> str | None:
    if not isinstance(value, tuple | list):
        return "a tuple"
    if len(args) == 2 and args[1] is Ellipsis:
        item_types = [args[0]] * len(value)
        shape = f"a tuple of items that are each {_describe(args[0])}"
    else:
        item_types = list(args)
        shape = f"a tuple of {len(args)} items ({', '.join(_describe(a) for a in args)})"
        if len(value) != len(args):
            return shape
    bad = any(_problem(t, v, allow_infinite) for t, v in zip(item_types, value, strict=True))
    return shape if bad else None


def _describe(annotation: Any) -> str:
    """A short phrase naming what ``annotation`` accepts (used inside tuple messages)."""
    words = {int: "an integer", float: "a finite number", bool: "a bool", str: "a string"}
    if annotation in words:
        return words[annotation]
    if typing.get_origin(annotation) is Literal:
        return f"one of {typing.get_args(annotation)}"
    return str(annotation)


def check_field_types(config: Any, *, allow_infinite: Collection[str] = ()) -> None:
    """Raise ``ValueError`` naming the first field whose value does not fit its annotation.

    Args:
        config: A config dataclass instance.
        allow_infinite: ``float`` fields where ``inf``/``-inf`` mean something (e.g. "never
            clip"); NaN is refused there too.

    A list given for a ``tuple`` field is stored as a tuple (``object.__setattr__``, so frozen
    configs too), as ``config_from_json`` and the CLI would give it.

    Raises:
        ValueError: ``"<Config>.<field> must be <expected>, got <value>"``.
    """
    for name, annotation in field_types(type(config)).items():
        value = getattr(config, name)
        problem = _problem(annotation, value, name in allow_infinite)
        if problem is not None:
            raise ValueError(f"{type(config).__name__}.{name} must be {problem}, got {value!r}")
        if typing.get_origin(annotation) is tuple and isinstance(value, list):
            # what the annotation promises (and what JSON and the CLI give): hashable, immutable
            object.__setattr__(config, name, tuple(value))


def field_choices(config_class: type, name: str) -> tuple[Any, ...]:
    """The values a ``Literal`` field of ``config_class`` accepts (``()`` for other fields)."""
    annotation = field_types(config_class).get(name)
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation)
    return ()


REWARD_LIMIT = 1e18
"""Largest episode reward magnitude an env config may imply (see :func:`check_reward_scale`)."""


def check_reward_scale(
    config: Any,
    per_step: Mapping[str, float],
    steps: int,
    hint: str = "rescale the rewards or costs",
) -> None:
    """Refuse env configs whose rewards would overflow float32 training.

    The bound is on an episode's sum of the reward magnitudes the config implies:
    ``steps · Σ per_step ≤ REWARD_LIMIT`` (1e18). An env could represent larger float32 rewards
    (up to 3.4e38), but returns are summed over an episode and then squared by every value or
    critic loss, and ``sqrt(float32 max) ≈ 1.8e19``: a config beyond the limit trains into
    ``inf``/NaN however good the algorithm is.

    Args:
        config: The env config (its class name starts the message).
        per_step: ``{field name: per-step reward magnitude that field implies}``, e.g.
            ``{"fixed_cost_per_item": fixed_cost_per_item * n_items}``; the message names the
            largest contributor.
        steps: The longest episode, in steps.
        hint: What the user can change, ending the message.

    Raises:
        ValueError: Naming the field, its value, the implied magnitude and the limit.
    """
    magnitudes = {name: abs(float(value)) for name, value in per_step.items()}
    total = math.fsum(magnitudes.values()) * steps
    if math.isfinite(total) and total <= REWARD_LIMIT:
        return
    name = max(magnitudes, key=lambda key: magnitudes[key])
    raise ValueError(
        f"{type(config).__name__}.{name}={getattr(config, name)!r} makes rewards too large: it "
        f"implies a reward magnitude of {magnitudes[name]:.3g} per step, {total:.3g} over a "
        f"{steps}-step episode, above the limit of {REWARD_LIMIT:.0e} (value and critic losses "
        f"square returns, and float32 overflows above 3.4e38); {hint}"
    )


def require_int(name: str, value: object) -> int:
    """``value`` as an ``int`` if it is an integer (numpy integers too, not bools or floats).

    Raises:
        ValueError: Naming ``name``, the value received and what was expected.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be {_EXPECTED_INT}, got {value!r}")
    return int(value)

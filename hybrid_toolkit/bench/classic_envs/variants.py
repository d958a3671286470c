"""Variants of a recipe set: the same recipes with a few config settings changed on top
(``--variant NAME --override KEY=VALUE``), cached apart from the set they change.

A variant is how a single change is measured at the set's full budget — DGRL with
``tau=0.005`` on Hard Move, HyAR with ``episode_updates=1`` on Goal — without editing the
recipes the published tables come from. Its runs are cached under the recipe set
``<recipe>-<variant>`` (``reference-tau-0.005``), so they resume, skip what is cached and
rebuild their own tables like any other set, and a changed override never matches an
old run.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from hybrid_toolkit.bench.classic_envs.cases import ALGORITHMS, RECIPE_SETS, Recipe

VARIANT_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
"""What a variant name may be: it becomes part of a folder name."""


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings as config settings: a value is read as JSON (``0.005``, ``true``,
    ``[256, 256]``) and otherwise kept as text (``box``).

    Raises:
        ValueError: An item has no ``=`` or an empty key, or a key is given twice.
    """
    overrides: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"--override: expected KEY=VALUE, got {item!r}")
        if key in overrides:
            raise ValueError(f"--override: {key} is given twice")
        try:
            overrides[key] = json.loads(text)
        except json.JSONDecodeError:
            overrides[key] = text
    return overrides


def check_variant(variant: str, overrides: dict[str, Any], algos: Iterable[str]) -> None:
    """Refuse a variant without a usable name, overrides without a variant (their runs would
    be cached as the set's own), and a key that is not a config setting of every algorithm
    it would apply to.

    Raises:
        ValueError: Naming the option, the value and what was expected.
    """
    if overrides and not variant:
        raise ValueError("--override needs --variant NAME: a variant's runs are cached apart")
    if not variant:
        return
    if not VARIANT_NAME.fullmatch(variant):
        raise ValueError(
            f"--variant must be lower-case letters, digits, '.', '_' or '-', got {variant!r}"
        )
    if not overrides:
        raise ValueError(f"--variant {variant}: give the settings it changes with --override")
    for algo in algos:
        config_class = ALGORITHMS[algo].config_class
        fields = {f.name for f in dataclasses.fields(config_class)}
        unknown = sorted(set(overrides) - fields)
        if unknown:
            raise ValueError(
                f"--override: {unknown} not settings of {algo}'s {config_class.__name__} "
                f"(run the variant with --algos limited to the algorithms it applies to)"
            )


def variant_set_name(recipe_set: str, variant: str) -> str:
    """The recipe-set name a variant's runs are cached and reported under."""
    return f"{recipe_set}-{variant}" if variant else recipe_set


def variant_note(recipe_set: str, variant: str, items: Sequence[str]) -> str:
    """The line a variant's tables end with: which set it varies and what it changes."""
    if not variant:
        return ""
    changes = ", ".join(f"`{item}`" for item in items)
    return f"Variant `{variant}`: the `{recipe_set}` recipes with {changes} on top.\n"


def with_overrides(recipe: Recipe, overrides: dict[str, Any]) -> Recipe:
    """``recipe`` with ``overrides`` on top of its own."""
    return replace(recipe, overrides={**recipe.overrides, **overrides}) if overrides else recipe


def variant_recipes(recipe_set: str, overrides: dict[str, Any]) -> dict[str, dict[str, Recipe]]:
    """Every algorithm's recipe per case in a variant of ``recipe_set``."""
    return {
        algo: {case: with_overrides(recipe, overrides) for case, recipe in recipes.items()}
        for algo, recipes in RECIPE_SETS[recipe_set].items()
    }

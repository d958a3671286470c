"""Checks of the arguments of the spaces' public constructors and functions.

Each check raises ``ValueError`` (``TypeError`` for a wrong kind of object) naming the
parameter, the value received and what was expected, so a malformed space or document never
becomes a silently different space, an ``AttributeError`` or a ``KeyError``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import torch
from torch import Tensor


def check_int(value: Any, name: str, minimum: int) -> int:
    """``value`` as an ``int`` (Python or numpy/torch integer, not a bool or a float).

    Raises:
        ValueError: ``value`` is not an integer or is below ``minimum``.
    """
    if not isinstance(value, bool):
        try:
            number = operator.index(value)
        except TypeError:
            pass
        else:
            if number >= minimum:
                return number
    raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def check_sequence(value: Any, name: str) -> Sequence[Any]:
    """``value`` if it is an ordered sequence: a list, a tuple, a 1-d array or tensor (a string,
    a mapping, a set or a scalar is refused)."""
    ordered = isinstance(value, Sequence) or (
        hasattr(value, "__len__") and hasattr(value, "__iter__") and getattr(value, "ndim", 1) == 1
    )
    if isinstance(value, (str, bytes, Mapping, AbstractSet)) or not ordered:
        raise ValueError(f"{name} must be a list or tuple, got {value!r}")
    return value


def float_vector(values: Any, length: int, name: str) -> Tensor:
    """``values`` as a float64 vector of ``length`` entries (a scalar broadcasts); no NaN."""
    try:
        tensor = torch.as_tensor(values, dtype=torch.float64).flatten()
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f"HybridSpace {name} must be numbers, got {values!r}") from None
    if tensor.numel() == 1 and length != 1:
        tensor = tensor.expand(length).clone()
    if tensor.numel() != length:
        raise ValueError(f"HybridSpace {name} must have {length} entries, got {tensor.numel()}")
    if torch.isnan(tensor).any():
        raise ValueError(f"HybridSpace {name} must not contain NaN, got {tensor.tolist()}")
    return tensor


def check_bounds(low: Tensor, high: Tensor) -> None:
    """Every interval ``[low[j], high[j]]`` must be non-empty and contain a finite number.

    ``low = high = +inf`` (or ``-inf``) would be an interval that no action can satisfy with a
    finite value, so a lower bound of ``+inf`` and an upper bound of ``-inf`` are refused.
    """
    for name, values, bad_value in (("low", low, math.inf), ("high", high, -math.inf)):
        bad = torch.nonzero(values == bad_value).flatten()
        if bad.numel():
            i = int(bad[0])
            raise ValueError(
                f"HybridSpace {name}[{i}] must be {'below +inf' if name == 'low' else 'above -inf'}"
                f" (the interval must hold a finite value), got {values[i].item()}"
            )
    bad = torch.nonzero(low > high).flatten()
    if bad.numel():
        i = int(bad[0])
        raise ValueError(
            f"HybridSpace low must be <= high, got low[{i}]={low[i].item()} > "
            f"high[{i}]={high[i].item()}"
        )


def check_names(names: Any, length: int) -> tuple[str, ...]:
    """``continuous_names``: ``None`` or one string per continuous parameter."""
    if names is None:
        return ()
    names = tuple(check_sequence(names, "HybridSpace continuous_names"))
    if names and len(names) != length:
        raise ValueError(
            f"HybridSpace continuous_names must have {length} entries, got {len(names)}"
        )
    if not all(isinstance(n, str) for n in names):
        raise ValueError(f"HybridSpace continuous_names must be strings, got {list(names)!r}")
    return names


def check_activation(
    activation: Any, sizes: Sequence[int], n_continuous: int
) -> dict[int, tuple[tuple[int, ...], ...]]:
    """The activation map ``{component: per choice, the continuous dims it activates}``.

    Args:
        activation: What the user passed (``None`` for none).
        sizes: Number of choices of each discrete component.
        n_continuous: Number of continuous parameters.
    """
    if activation is None:
        return {}
    if not isinstance(activation, Mapping):
        raise ValueError(
            "HybridSpace activation must be a mapping {component index: [active dims of each "
            f"choice]}}, got {activation!r}"
        )
    checked: dict[int, tuple[tuple[int, ...], ...]] = {}
    owner: dict[int, int] = {}
    for key, per_choice in activation.items():
        comp = _activation_index(key, "component", len(sizes))
        rows = tuple(
            tuple(_activation_index(j, f"component {comp}'s dim", n_continuous) for j in dims)
            for dims in _activation_rows(per_choice, comp)
        )
        if len(rows) != sizes[comp]:
            raise ValueError(
                f"HybridSpace activation for component {comp} must list the active dims of "
                f"each of its {sizes[comp]} choices, got {len(rows)} entries"
            )
        for j in {j for dims in rows for j in dims}:
            if owner.setdefault(j, comp) != comp:
                raise ValueError(
                    f"HybridSpace activation: continuous dim {j} is governed by both "
                    f"component {owner[j]} and component {comp}; at most one is allowed"
                )
        checked[comp] = rows
    return checked


def _activation_rows(per_choice: Any, comp: int) -> list[Sequence[Any]]:
    name = f"HybridSpace activation[{comp}]"
    return [
        check_sequence(dims, f"{name}[{k}]")
        for k, dims in enumerate(check_sequence(per_choice, name))
    ]


def _activation_index(value: Any, what: str, bound: int) -> int:
    """An index in ``[0, bound)`` named by the activation map."""
    try:
        index = operator.index(value) if not isinstance(value, bool) else None
    except TypeError:
        index = None
    if index is None or not 0 <= index < bound:
        raise ValueError(
            f"HybridSpace activation names {what} {value!r}; expected an index in [0, {bound})"
        )
    return index


def check_batch_size(batch_size: Any) -> int:
    """``HybridSpace.sample``'s ``batch_size``: an integer >= 0."""
    return check_int(batch_size, "HybridSpace.sample batch_size", 0)


# ---------------------------------------------------------------------------- JSON documents
SPACE_KEYS = ("discrete", "low", "high", "activation", "continuous_names")
COMPONENT_KEYS = ("n", "kind", "positions", "name")


def check_document(data: Any, keys: Sequence[str], what: str) -> Mapping[str, Any]:
    """``data`` if it is a JSON object whose keys are all among ``keys``."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} must be a JSON object (dict), got {data!r}")
    unknown = [k for k in data if k not in keys]
    if unknown:
        raise ValueError(f"{what} has unknown key(s) {unknown}; expected keys among {list(keys)}")
    return data


def component_kwargs(data: Any, index: int) -> dict[str, Any]:
    """The ``DiscreteComponent`` arguments a ``"discrete"`` entry of a space document holds."""
    what = f"HybridSpace.from_json discrete[{index}]"
    data = check_document(data, COMPONENT_KEYS, what)
    if "n" not in data:
        raise ValueError(f"{what} must have the key 'n' (number of choices), got {dict(data)!r}")
    positions = data.get("positions")
    return {
        "n": data["n"],
        "kind": data.get("kind", "categorical"),
        "positions": None
        if positions is None
        else tuple(check_sequence(positions, f"{what}['positions']")),
        "name": data.get("name", ""),
    }


def space_kwargs(data: Any) -> dict[str, Any]:
    """The ``HybridSpace`` arguments a document written by ``HybridSpace.to_json`` holds.

    Bounds may be numbers or the strings ``"inf"``/``"-inf"``; activation keys are component
    indices as strings (JSON object keys) or integers.
    """
    what = "HybridSpace.from_json document"
    data = check_document(data, SPACE_KEYS, what)
    discrete = check_sequence(data.get("discrete", []), f"{what}['discrete']")
    activation = data.get("activation") or {}
    if not isinstance(activation, Mapping):
        raise ValueError(f"{what}['activation'] must be a JSON object, got {activation!r}")
    return {
        "discrete": [component_kwargs(c, i) for i, c in enumerate(discrete)],
        "low": _bounds(data.get("low", []), f"{what}['low']"),
        "high": _bounds(data.get("high", []), f"{what}['high']"),
        "activation": {_json_key(k): v for k, v in activation.items()},
        "continuous_names": data.get("continuous_names") or None,
    }


def _bounds(values: Any, name: str) -> list[float]:
    bounds = []
    for value in check_sequence(values, name):
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not number and value not in ("inf", "-inf", "+inf"):
            raise ValueError(f"{name} entries must be numbers, 'inf' or '-inf', got {value!r}")
        bounds.append(float(value))
    return bounds


def _json_key(key: Any) -> Any:
    """Activation keys come back from JSON as strings; ``"0"`` means component 0."""
    if isinstance(key, str) and key.strip().lstrip("-").isdigit():
        return int(key)
    return key

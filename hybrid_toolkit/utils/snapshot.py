"""Snapshots of live Python state as plain data that ``torch.load(weights_only=True)`` reads.

`capture` turns a value into nested dicts, lists, scalars and tensors (copies, so later in-place
changes of the live value do not leak into the snapshot); `restore` turns such a snapshot back
into a value, reusing the live object where one exists (a generator is re-seeded in place, a
module or an object with ``load_state_dict`` is loaded in place). Nothing is pickled, and the
only classes ever rebuilt from a snapshot are dataclasses and named tuples of this library.

Supported values: ``None``, ``bool``, ``int``, ``float``, ``str``, tensors,
``torch.Generator``, lists, tuples, dicts with string keys, dataclass and named-tuple instances
of supported values, and objects with ``state_dict()``/``load_state_dict()``. Anything else
raises `UnsupportedState`.
"""

from __future__ import annotations

import dataclasses
import importlib
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any

import torch
from torch import Tensor

_TAG = "__snapshot__"
_LIBRARY = "hybrid_toolkit."


class UnsupportedState(TypeError):
    """Raised by `capture` for a value it cannot turn into plain data."""


def _qualified_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _record_class(name: str) -> type:
    module_name, _, qualname = name.partition(":")
    if not module_name.startswith(_LIBRARY):
        raise ValueError(
            f"snapshot names the class {name!r}; only dataclasses of hybrid_toolkit are rebuilt"
        )
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not (dataclasses.is_dataclass(obj) or hasattr(obj, "_fields")) or not isinstance(obj, type):
        raise ValueError(f"snapshot names {name!r}, which is not a dataclass or named tuple")
    return obj


def _fields(value: Any) -> dict[str, Any] | None:
    """A record's fields by name (dataclass or named tuple), or None for other values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.init}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return dict(zip(value._fields, value, strict=True))
    return None


def capture(value: Any) -> Any:
    """A plain-data copy of ``value`` (see the module docstring for what is supported).

    Raises:
        UnsupportedState: ``value`` (or something inside it) is not supported.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, type | FunctionType | MethodType | BuiltinFunctionType):
        raise UnsupportedState(f"cannot snapshot the class or function {value!r}")
    if isinstance(value, Tensor):
        return value.detach().clone()
    if isinstance(value, torch.Generator):
        return {_TAG: "generator", "state": value.get_state()}
    fields = _fields(value)
    if fields is not None:
        captured = {name: capture(v) for name, v in fields.items()}
        return {_TAG: "record", "class": _qualified_name(type(value)), "fields": captured}
    if isinstance(value, list):
        return [capture(v) for v in value]
    if isinstance(value, tuple):
        return {_TAG: "tuple", "items": [capture(v) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise UnsupportedState(f"dict keys must be strings, got {list(value)[:5]!r}")
        return {_TAG: "dict", "items": {k: capture(v) for k, v in value.items()}}
    if callable(getattr(value, "state_dict", None)) and callable(
        getattr(value, "load_state_dict", None)
    ):
        return {_TAG: "state_dict", "state": capture(value.state_dict())}
    raise UnsupportedState(f"cannot snapshot a value of type {type(value).__name__}")


def restore(current: Any, saved: Any) -> Any:
    """The value a snapshot describes; ``current`` (the live value) is reused where possible.

    Tensors land on ``current``'s device when ``current`` is a tensor; generators and objects
    with ``load_state_dict`` are updated in place and returned.
    """
    if isinstance(saved, Tensor):
        return saved.to(current.device) if isinstance(current, Tensor) else saved.clone()
    if isinstance(saved, list):
        items = current if isinstance(current, list) and len(current) == len(saved) else []
        return [restore(items[i] if items else None, v) for i, v in enumerate(saved)]
    if not isinstance(saved, dict) or _TAG not in saved:
        return saved
    kind = saved[_TAG]
    if kind == "generator":
        generator = current if isinstance(current, torch.Generator) else torch.Generator()
        generator.set_state(saved["state"].cpu())  # a CPU ByteTensor whatever map_location was
        return generator
    if kind == "tuple":
        return tuple(restore(None, v) for v in saved["items"])
    if kind == "dict":
        live = current if isinstance(current, dict) else {}
        return {k: restore(live.get(k), v) for k, v in saved["items"].items()}
    if kind == "record":
        cls = type(current) if _fields(current) is not None else _record_class(saved["class"])
        live = _fields(current) or {}
        return cls(**{k: restore(live.get(k), v) for k, v in saved["fields"].items()})
    if kind == "state_dict":
        if current is None or not callable(getattr(current, "load_state_dict", None)):
            raise ValueError(
                f"snapshot holds a state dict, but the live value is a {type(current).__name__} "
                "without load_state_dict"
            )
        current.load_state_dict(restore(None, saved["state"]))
        return current
    raise ValueError(f"unknown snapshot kind {kind!r}")


def get_path(root: Any, path: str) -> Any:
    """``root.a.b`` for ``path="a.b"``."""
    obj = root
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def set_path(root: Any, path: str, value: Any) -> None:
    """``root.a.b = value`` for ``path="a.b"``."""
    parent, _, name = path.rpartition(".")
    setattr(get_path(root, parent) if parent else root, name, value)


__all__ = ["UnsupportedState", "capture", "get_path", "restore", "set_path"]

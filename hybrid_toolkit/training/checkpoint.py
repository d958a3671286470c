"""The checkpoint format: its layout, its error type, and the checks both directions share.

Layout of ``<name>.zip`` (format version 1):

```text
metadata.json   format version, library versions, algorithm name, state dict names, creation
                time, system
config.json     the algorithm's config dataclass as JSON
spaces.json     action/observation spaces as JSON
<name>.pt       one torch.save file per state dict (policy, optimizer, normaliser, ...)
extra.json      anything else the algorithm wants back (counters, env name, ...)
```

Algorithms add ``training_state.pt`` (random streams, env snapshot, last observation, counters:
everything an exact resume needs besides the weights) and one ``replay.<attribute>.pt`` per
replay buffer unless saved without them; ``extra.json`` then states the buffers' sizes under
``replay_buffers``. Both are ordinary state dicts, so the layout stays version 1: older files
simply lack them (and load for prediction; continuing to train from one warns).

Nothing is pickled: JSON for structure and ``torch.load(weights_only=True)`` for tensors, so a
checkpoint from an untrusted source cannot run code when loaded. Writing lives in
`hybrid_toolkit.training.checkpoint_save`, reading (with its size limits) in
`hybrid_toolkit.training.checkpoint_load`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from typing import Any

import torch
from torch import Tensor

FORMAT_VERSION = 1
"""Version of the checkpoint layout written by `save_checkpoint`."""

SUPPORTED_FORMAT_VERSIONS = (1,)
"""Layout versions `load_checkpoint` can read."""

JSON_DOCUMENTS = ("metadata", "config", "spaces", "extra")
"""The JSON entries of every checkpoint (``<name>.json``); no state dict may take these names."""

STATE_DICT_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
"""What a state dict name must look like: a plain file stem (no folders, no ``..``)."""


class CheckpointError(ValueError):
    """Raised when a file is not a readable hybrid_toolkit checkpoint.

    The message says which file, which entry and what is wrong with it (not a zip, truncated,
    bad CRC, invalid JSON, missing entry, too large, non-finite weights, ...).
    """


@dataclass
class Checkpoint:
    """The content of a checkpoint file.

    Attributes:
        metadata: Format version, library versions, algorithm name, creation time, system info.
        config: The algorithm config as saved (a JSON dict).
        spaces: The spaces as saved (a JSON dict).
        state_dicts: One state dict per saved component, tensors on ``map_location``.
        extra: Free-form JSON the algorithm saved alongside.
    """

    metadata: dict[str, Any]
    config: dict[str, Any]
    spaces: dict[str, Any]
    state_dicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def algorithm(self) -> str:
        """The registry name of the algorithm that wrote the checkpoint."""
        return str(self.metadata["algorithm"])


def package_version(package: str) -> str:
    """The installed version of ``package``, or ``"unknown"``."""
    try:
        return importlib_metadata.version(package)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


def state_dict_name_problem(name: object) -> str | None:
    """Why ``name`` cannot name a state dict entry (``<name>.pt``), or ``None`` when it can."""
    if not isinstance(name, str) or not STATE_DICT_NAME.match(name):
        return (
            f"state dict name {name!r} must be a plain file stem (letters, digits, '_', '.', '-')"
        )
    if name in JSON_DOCUMENTS:
        return f"state dict name {name!r} is reserved for {name}.json"
    return None


def _tensors(tree: Any, path: str) -> Iterator[tuple[str, Tensor]]:
    if isinstance(tree, Tensor):
        yield path, tree
    elif isinstance(tree, dict):
        for key, value in tree.items():
            yield from _tensors(value, f"{path}.{key}" if path else str(key))
    elif isinstance(tree, list | tuple):
        for index, value in enumerate(tree):
            yield from _tensors(value, f"{path}.{index}" if path else str(index))


def non_finite_tensors(state_dicts: dict[str, Any]) -> list[str]:
    """Describe every floating tensor holding NaN or ±inf, as ``"policy['net.0.weight'] …"``.

    Nested containers (an optimizer's ``state``) are searched too; integer and boolean tensors
    cannot hold non-finite values and are skipped.
    """
    found = []
    for name, state in state_dicts.items():
        for key, tensor in _tensors(state, ""):
            if not (tensor.is_floating_point() or tensor.is_complex()) or tensor.is_meta:
                continue
            finite = torch.isfinite(tensor)
            if bool(finite.all()):
                continue
            nan = int(torch.isnan(tensor).sum())
            found.append(
                f"{name}[{key!r}] has {nan} NaN and {int((~finite).sum()) - nan} infinite of "
                f"{tensor.numel()} values"
            )
    return found


__all__ = [
    "FORMAT_VERSION",
    "JSON_DOCUMENTS",
    "SUPPORTED_FORMAT_VERSIONS",
    "Checkpoint",
    "CheckpointError",
    "non_finite_tensors",
    "package_version",
    "state_dict_name_problem",
]

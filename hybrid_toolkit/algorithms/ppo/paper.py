"""The HPO paper's PPO as a list of differences, one config field each, for ablations.

The reference code's Gaussian PPO (``MatiasAlvo/hybrid-rl``, spec §10.1) differs from this
library's PPO in the fields of :data:`PAPER_SWITCHES`; the ``paper-jrp`` and ``paper-lqr``
presets are the ``hpo-paper-*`` settings with every one of them switched. To find which
difference accounts for a result, switch them one at a time::

    from hybrid_toolkit.algorithms.ppo.paper import paper_differences, paper_ablation

    for field in paper_differences("paper-jrp"):
        overrides = paper_ablation("paper-jrp", field)  # the paper's PPO, `field` set back
        model = PPO(env, **overrides)
        ...

``paper_ablation(preset, field, direction="add")`` goes the other way: this library's PPO
(``hpo-paper-*``) with only ``field`` switched to the paper's behaviour. ``field`` may also be
several fields, switched together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hybrid_toolkit.algorithms.ppo.config import PAPER_SWITCHES, PPO_PRESETS, PPOConfig

Direction = Literal["remove", "add"]
"""``remove``: the paper's PPO with one difference undone; ``add``: ours with one switched."""

_BASES = {"paper-jrp": "hpo-paper-jrp", "paper-lqr": "hpo-paper-lqr"}
"""Each paper preset and the preset of this library's PPO it is compared with."""


@dataclass(frozen=True)
class Difference:
    """One way the paper's PPO differs from ours.

    Attributes:
        field: The `PPOConfig` field.
        ours: Its value in this library's PPO (the default).
        paper: Its value in the paper's PPO (the preset).
    """

    field: str
    ours: Any
    paper: Any


def paper_differences(preset: str = "paper-jrp") -> dict[str, Difference]:
    """The fields in which ``preset`` (``paper-jrp`` or ``paper-lqr``) differs from this
    library's PPO, in :data:`PAPER_SWITCHES` order (a switch whose paper value equals ours on
    that family, e.g. ``buffer_periods`` on LQR, is left out)."""
    settings = PPO_PRESETS[_base_check(preset)]
    defaults = PPOConfig()
    out = {}
    for field in PAPER_SWITCHES:
        ours, paper = getattr(defaults, field), settings[field]
        if ours != paper:
            out[field] = Difference(field, ours, paper)
    return out


def paper_ablation(
    preset: str, field: str | Sequence[str], direction: Direction = "remove"
) -> dict[str, Any]:
    """Constructor keywords for an ablation of ``preset`` in one difference or several.

    Args:
        preset: ``paper-jrp`` or ``paper-lqr``.
        field: One of :func:`paper_differences` ``(preset)``, or several of them (switched
            together, e.g. to test whether two single effects add up).
        direction: ``remove``: the paper's PPO with ``field`` set to ours; ``add``: this
            library's PPO (``hpo-paper-*``) with only ``field`` set to the paper's.

    Returns:
        Every setting as keywords (``PPO(env, **paper_ablation(...))``).

    Raises:
        ValueError: For an unknown preset, field or direction, or no field at all.
    """
    differences = paper_differences(preset)
    fields = (field,) if isinstance(field, str) else tuple(field)
    if not fields:
        raise ValueError(f"field must name at least one difference of {preset!r}, got none")
    for name in fields:
        if name not in differences:
            raise ValueError(
                f"field must be one of the differences of {preset!r} "
                f"({', '.join(differences)}), got {name!r}"
            )
    if direction == "remove":
        return {**PPO_PRESETS[preset], **{f: differences[f].ours for f in fields}}
    if direction == "add":
        return {**PPO_PRESETS[_BASES[preset]], **{f: differences[f].paper for f in fields}}
    raise ValueError(f"direction must be 'remove' or 'add', got {direction!r}")


def _base_check(preset: str) -> str:
    if preset not in _BASES:
        raise ValueError(f"preset must be one of {', '.join(_BASES)}, got {preset!r}")
    return preset

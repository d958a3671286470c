"""Preset names: kebab-case (``hpo-paper-jrp``), with the old snake_case names still accepted.

Every preset is named in kebab-case, like the CLI's flags and the environment ids. Names from
before the rename (``hpo_paper_jrp``, ``hard_goal``, ``jrp_decentralized`` …) map to the new
name by turning ``_`` into ``-``, and warn with a `FutureWarning`: the users who typed them
(in a script or after ``--preset``) are the ones who must change them, and Python hides a
``DeprecationWarning`` from them unless it comes from ``__main__``.
"""

from __future__ import annotations

import warnings
from collections.abc import Container


def canonical_preset(algo: str, presets: Container[str], name: str, *, stacklevel: int = 1) -> str:
    """The current name of preset ``name`` of ``algo``.

    Args:
        algo: The algorithm's registered name, for the message.
        presets: The algorithm's preset names.
        name: The name the user gave.
        stacklevel: As for `warnings.warn`, counted from the caller (1: the caller's line), so
            the warning can point at the user's line.

    Returns:
        ``name`` itself when it is a preset or unknown (the caller reports unknown names);
        the kebab-case name when ``name`` is its old snake_case spelling.

    Warns:
        FutureWarning: ``name`` is an old spelling; the message names the new one.
    """
    renamed = name.replace("_", "-")
    if name in presets or renamed not in presets:
        return name
    warnings.warn(
        f"{algo} preset {name!r} is renamed {renamed!r}; the old name will be removed",
        FutureWarning,
        stacklevel=stacklevel + 1,
    )
    return renamed

"""Run folders named ``<env>__<algo>__<seed>__<YYYYmmdd-HHMMSS>`` (CleanRL's convention)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9_.=+-]+")


def _safe(part: str) -> str:
    # Gymnasium ids contain "/" ("hybrid_toolkit/Platform-v0"); keep one folder per run.
    return _UNSAFE.sub("_", part).strip("_") or "unnamed"


def run_dir_name(env_name: str, algo_name: str, seed: int, now: datetime | None = None) -> str:
    """The folder name of a run started at ``now`` (default: the current local time)."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"{_safe(env_name)}__{_safe(algo_name)}__{seed}__{stamp}"


def make_run_dir(
    root: str | Path, env_name: str, algo_name: str, seed: int, *, now: datetime | None = None
) -> Path:
    """Create and return ``root/<env>__<algo>__<seed>__<YYYYmmdd-HHMMSS>``.

    Characters that are unsafe in a folder name (such as ``/``) become ``_``. When the folder
    already exists (two runs started within the same second) a suffix ``_1``, ``_2``, ... is added,
    so a run never writes into another run's folder.

    Args:
        root: Parent folder (``"runs"``), created if missing.
        env_name: Environment name, e.g. ``"JointReplenishment-v0"``.
        algo_name: Algorithm registry name, e.g. ``"ppo"``.
        seed: The run's seed.
        now: Timestamp to use instead of the current time.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an int, got {seed!r}")
    base = Path(root) / run_dir_name(env_name, algo_name, seed, now)
    base.parent.mkdir(parents=True, exist_ok=True)
    candidate, suffix = base, 0
    while True:
        try:
            candidate.mkdir()  # atomic: two processes cannot both create the same folder
            return candidate
        except FileExistsError:
            suffix += 1
            candidate = base.with_name(f"{base.name}_{suffix}")

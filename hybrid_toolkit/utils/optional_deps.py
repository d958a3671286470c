"""Optional dependencies: find out whether an extra is installed, and say how to get it.

The core library needs only its base dependencies. Features built on an optional package (Ray
Tune and Optuna for sweeps and parallel bench grids) call :func:`require` before importing it, so
a user without the extra gets one clear sentence naming the ``pip install`` command instead of a
``ModuleNotFoundError`` from deep inside the call.
"""

from __future__ import annotations

import importlib.util

__all__ = ["MissingOptionalDependencyError", "is_installed", "require"]


class MissingOptionalDependencyError(ImportError):
    """An optional package a feature needs is not installed; the message says how to install it."""


def is_installed(module: str) -> bool:
    """Whether ``module`` (a top-level or dotted module name) can be imported."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a dotted name whose parent package is missing
        return False


def require(modules: str | tuple[str, ...], *, extra: str, feature: str) -> None:
    """Raise :class:`MissingOptionalDependencyError` unless every module in ``modules`` imports.

    Args:
        modules: module name(s) the feature imports, e.g. ``("ray.tune", "optuna")``.
        extra: the ``hybrid-toolkit[...]`` extra that installs them, e.g. ``"tune"``.
        feature: what the user asked for, for the message, e.g. ``"hybrid-toolkit sweep"``.
    """
    names = (modules,) if isinstance(modules, str) else modules
    missing = [name for name in names if not is_installed(name)]
    if missing:
        raise MissingOptionalDependencyError(
            f"{feature} needs {', '.join(missing)}, which is not installed; install the "
            f"optional extra with: pip install 'hybrid-toolkit[{extra}]'"
        )

"""What is left in ``benchmarks/`` still imports, so a kept script cannot rot unseen.

Every benchmark is a ``hybrid-toolkit bench`` suite (``test_smoke.py`` runs them all); the few
scripts that remain say at their top why they are not suites. Importing one runs its imports
and definitions, the part that rots when the package moves (its ``main`` is guarded).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.rglob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(BENCHMARKS)))
def test_a_kept_script_imports_cleanly(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"_bench_script_{script.stem}"
    spec = importlib.util.spec_from_file_location(name, script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    assert module.__doc__, f"{script} must say at its top what it is and why it is no suite"

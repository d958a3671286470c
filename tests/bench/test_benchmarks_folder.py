"""What is left in ``benchmarks/`` still imports, so a kept script cannot rot unseen.

Every benchmark is a ``hybrid-toolkit bench`` suite (``test_smoke.py`` runs them all); the few
scripts that remain say at their top why they are not suites. Importing one runs its imports
and definitions, the part that rots when the package moves (its ``main`` is guarded).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
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


SHELL_SCRIPTS = sorted(BENCHMARKS.rglob("*.sh"))


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: str(p.relative_to(BENCHMARKS)))
def test_a_grid_script_passes_options_the_cli_accepts(script: Path, tmp_path: Path) -> None:
    """Every ``$HT …`` command of a kept shell script parses (the CLI's own parser and option
    checks; nothing trains), so a renamed or removed option cannot rot a script unseen."""
    calls = tmp_path / "calls"
    stub = tmp_path / "ht"
    parse = "import sys; from hybrid_toolkit.cli.parser import parse; parse(sys.argv[1:])"
    stub.write_text(f'#!/bin/sh\necho "$*" >> {calls}\nexec {sys.executable} -c "{parse}" "$@"\n')
    stub.chmod(0o755)
    env = {**os.environ, "HT": str(stub), "PYTHONPATH": str(BENCHMARKS.parent)}
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert calls.read_text().count("bench ") >= 1

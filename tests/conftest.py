"""Shared test settings and fixtures.

Single-threaded torch keeps timings stable on 2-core CI machines.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from hybrid_toolkit.cli.main import main

torch.set_num_threads(1)

CliRunner = Callable[[list[str]], tuple[int, str]]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run ``hybrid-toolkit ARGS`` in-process: ``(exit status, stdout + stderr)``."""

    def run(args: list[str]) -> tuple[int, str]:
        try:
            code = main(args)
        except SystemExit as exc:  # tyro exits for --help and for bad input
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the fuzz suite's outcome counts to ``$HT_FUZZ_REPORT`` when that variable is set
    (``scripts/fuzz_report.py`` sets it; see tests/fuzz/fuzz_outcomes.py)."""
    path = os.environ.get("HT_FUZZ_REPORT")
    outcomes = sys.modules.get("fuzz_outcomes")
    if not path or outcomes is None:
        return
    rows = [
        {"target": target, "outcome": outcome, "count": count}
        for (target, outcome), count in sorted(outcomes.COUNTS.items())
    ]
    report = {"examples_per_property": outcomes.EXAMPLES, "exit_status": int(exitstatus)}
    Path(path).write_text(json.dumps({**report, "rows": rows}, indent=2) + "\n")

"""Shared test settings and fixtures.

Single-threaded torch keeps timings stable on 2-core CI machines.
"""

from __future__ import annotations

from collections.abc import Callable

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

"""Writes the fuzz suite's outcome counts to ``$HT_FUZZ_REPORT`` when that variable is set."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fuzz_outcomes import COUNTS, EXAMPLES


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = os.environ.get("HT_FUZZ_REPORT")
    if not path:
        return
    rows = [
        {"target": target, "outcome": outcome, "count": count}
        for (target, outcome), count in sorted(COUNTS.items())
    ]
    report = {"examples_per_property": EXAMPLES, "exit_status": int(exitstatus), "rows": rows}
    Path(path).write_text(json.dumps(report, indent=2) + "\n")

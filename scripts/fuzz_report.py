"""Run the fuzz suite with more inputs and print its outcome table (Markdown) for the docs.

Usage: ``python scripts/fuzz_report.py [--examples N] [--out report.json]``. Inputs are drawn
at random (not derandomized) when the report is written, so every run tries new ones.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def table(report: dict) -> str:
    """The Markdown table of a ``$HT_FUZZ_REPORT`` JSON document."""
    lines = ["| what was fuzzed | outcome | inputs |", "|---|---|---:|"]
    for row in report["rows"]:
        lines.append(f"| {row['target']} | {row['outcome']} | {row['count']:,} |")
    total = sum(row["count"] for row in report["rows"])
    lines.append(f"| **all** | | **{total:,}** |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=200, help="inputs per property")
    parser.add_argument("--out", type=Path, default=None, help="also keep the JSON here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.out or Path(tmp) / "fuzz.json")
        env = {**os.environ, "HT_FUZZ_EXAMPLES": str(args.examples), "HT_FUZZ_REPORT": str(path)}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/fuzz"]
        status = subprocess.call(command, env=env)
        report = json.loads(path.read_text())
    print(f"\n{report['examples_per_property']} inputs per property; pytest exit {status}\n")
    print(table(report))
    return status


if __name__ == "__main__":
    sys.exit(main())

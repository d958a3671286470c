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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=200, help="inputs per property")
    parser.add_argument("--out", type=Path, default=None, help="also keep the JSON here")
    parser.add_argument(
        "--write",
        type=Path,
        default=None,
        help="write the Markdown table here (the docs include benchmarks/results/fuzz-report.md)",
    )
    parser.add_argument("--tests", default="tests/fuzz", help="test path to run (default: all)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.out or Path(tmp) / "fuzz.json")
        env = {**os.environ, "HT_FUZZ_EXAMPLES": str(args.examples), "HT_FUZZ_REPORT": str(path)}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", args.tests]
        status = subprocess.call(command, env=env)
        report = json.loads(path.read_text())
    heading = (
        f"{report['examples_per_property']} inputs per property, drawn at random; "
        f"pytest exit status {status}."
    )
    text = f"{heading}\n\n{table(report)}\n"
    print(f"\n{text}")
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text)
    return status


if __name__ == "__main__":
    sys.exit(main())

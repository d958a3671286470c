"""``hybrid-toolkit plot RUN_DIR…``: learning curves of run directories to PNG/SVG/PDF.

Setup reads every run and checks the key, the output paths and the reference, so a wrong
value exits with status 2 before any file is written; the job draws and says where the files
went (and which runs were left out for not logging the key).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from hybrid_toolkit.cli.errors import UserError
from hybrid_toolkit.cli.options import PlotArgs
from hybrid_toolkit.training import draw_curves, load_curves
from hybrid_toolkit.training.plotting import output_paths


def prepare_plot(args: PlotArgs) -> Callable[[], int]:
    """Read the runs ``args`` names; returns the job that draws them.

    Raises:
        UserError: No ``RUN_DIR``, ``--reference`` not a number, ``auto`` or ``none``, or an
            ``--out`` file whose suffix is not ``.png``, ``.svg`` or ``.pdf``.
        ValueError: (or ``FileNotFoundError``) a missing folder, a folder without runs, or a
            key no run logged (the message lists the keys the runs did log).
    """
    if not args.run_dirs:
        raise UserError("RUN_DIR", "nothing", "at least one run directory or folder of runs")
    reference = _reference(args.reference)
    try:
        paths = output_paths(args.out)
    except ValueError:
        given = " ".join(args.out) or "nothing"
        raise UserError("--out", given, "file names ending in .png, .svg or .pdf") from None
    curves = load_curves(
        args.run_dirs, args.key, args.x, group_by=args.group_by, reference=reference
    )

    def job() -> int:
        for run, reason in curves.skipped:
            print(f"skipped {run}: {reason}")
        for group in curves.groups:
            print(f"{group.label:<14}: {len(group.runs)} run(s)")
        for path in draw_curves(curves, paths, args.title):
            print(f"wrote {path}")
        return 0

    return job


def _reference(text: str) -> float | str:
    if text in ("auto", "none"):
        return text
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise UserError("--reference", repr(text), "a finite number, auto or none")
    return value

"""``hybrid-toolkit train --resume RUN_DIR``: continue a run from its newest checkpoint.

The run is rebuilt from ``RUN_DIR/config.json`` (or the ``run.json`` of an older run
directory: algorithm, environment and every option), the model from the newest
``RUN_DIR/checkpoints/*.zip`` (else ``RUN_DIR/model.zip``), and training continues in the same
folder (TensorBoard and ``progress.csv`` append) up to the run's total timesteps, or up to a
new total given with ``--run.total-timesteps``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hybrid_toolkit.algorithms import load
from hybrid_toolkit.cli.errors import UserError
from hybrid_toolkit.cli.options import ResumeArgs, apply_threads
from hybrid_toolkit.cli.run_record import read_run_record, write_run_record
from hybrid_toolkit.cli.train import fit, make_eval_env
from hybrid_toolkit.envs import make

_STEPS = re.compile(r"_(\d+)_steps\.zip$")
PROGRESS = "progress.csv"
STEP_KEY = "time/total_timesteps"


def latest_checkpoint(run_dir: Path) -> Path | None:
    """The checkpoint with the most timesteps in ``run_dir/checkpoints`` (by the
    ``*_<N>_steps.zip`` names that ``CheckpointCallback`` writes), else ``run_dir/model.zip``;
    ``None`` when there is neither."""
    found = [
        (int(match[1]), path)
        for path in (run_dir / "checkpoints").glob("*.zip")
        if (match := _STEPS.search(path.name)) is not None
    ]
    if found:
        return max(found)[1]
    final = run_dir / "model.zip"
    return final if final.is_file() else None


def prepare_resume(args: ResumeArgs) -> Callable[[], int]:
    """Set up the continued run; returns the job.

    Raises:
        UserError: ``RUN_DIR`` is missing, has no checkpoint, or its run already reached its
            total timesteps.
    """
    run_dir = Path(args.resume)
    overrides: dict[str, Any] = {"progress_bar": args.run.progress_bar, "verbose": args.run.verbose}
    if args.run.total_timesteps:
        overrides["total_timesteps"] = args.run.total_timesteps
    if args.run.device:
        overrides["device"] = args.run.device
    record = read_run_record(run_dir, overrides)
    total = record.run.total_timesteps
    checkpoint = latest_checkpoint(run_dir)
    if checkpoint is None:
        raise UserError(
            "--resume",
            repr(str(run_dir)),
            "a run directory with checkpoints/*.zip or model.zip (train with "
            "--run.checkpoint-freq N to write checkpoints)",
        )
    run = record.run
    apply_threads(run.threads)
    num_envs = int(getattr(record.algo, "num_envs", 1))
    env = make(record.env_name, num_envs=num_envs, device=run.device, config=record.env)
    eval_env = make_eval_env(record.env_name, record.env, run)
    model = load(checkpoint, env=env, device=env.device, verbose=run.verbose)
    if model.num_timesteps >= total:
        raise UserError(
            "--resume",
            repr(str(run_dir)),
            f"a run that has not finished; {checkpoint.name} is at {model.num_timesteps} of "
            f"{total} timesteps (give --run.total-timesteps above {model.num_timesteps} to "
            "train further)",
        )
    if run.verbose:
        print(f"resuming {checkpoint} at {model.num_timesteps} of {total} timesteps")

    def job() -> int:
        write_run_record(run_dir, record)
        earlier = _progress_rows(run_dir / PROGRESS, up_to=model.num_timesteps)
        status = fit(model, eval_env, run, run_dir)
        _prepend_rows(run_dir / PROGRESS, earlier)
        return status

    return job


def _progress_rows(path: Path, up_to: int) -> list[dict[str, str]]:
    """The rows of ``progress.csv`` logged at or before timestep ``up_to`` (later ones are
    trained again from the checkpoint, so they would appear twice)."""
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [row for row in rows if int(float(row.get(STEP_KEY) or 0)) <= up_to]


def _prepend_rows(path: Path, earlier: list[dict[str, str]]) -> None:
    """Put ``earlier`` rows back in front of what the continued run logged.

    A fresh logger starts ``progress.csv`` anew; the continued run's rows are appended to the
    run's history instead, the header being the union of both.
    """
    if not earlier:
        return
    rows = _progress_rows(path, up_to=2**63)
    keys = list(dict.fromkeys(k for row in (*earlier, *rows) for k in row))
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=keys, restval="")
        writer.writeheader()
        writer.writerows([*earlier, *rows])
    tmp.replace(path)

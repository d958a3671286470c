"""``hybrid-toolkit sweep [SPEC] [options]``: a hyperparameter search, one train run per trial.

Setup (:func:`prepare_sweep`) reads the sweep file and the options, checks every field name and
every value at the edges of every axis (so a typo or a refused value exits with status 2
before Ray starts), and checks that the extra is installed; the job runs the trials on Ray Tune
and writes the results table, the best configuration and the plot into the sweep's folder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch

from hybrid_toolkit.algorithms import get_algorithm
from hybrid_toolkit.cli.errors import UserError
from hybrid_toolkit.cli.options import SweepArgs
from hybrid_toolkit.cli.result import has_reported_metric
from hybrid_toolkit.cli.run_record import record_from_document
from hybrid_toolkit.envs import env_spec, make
from hybrid_toolkit.registry import UnknownNameError
from hybrid_toolkit.sweep.results import trial_rows, write_results
from hybrid_toolkit.sweep.runner import Resources, check_sweep_folder, require_tune, run_sweep
from hybrid_toolkit.sweep.spec import (
    SweepSpec,
    axis_from_file,
    axis_from_option,
    base_document,
    check_space,
    field_key,
    fixed_from_option,
    read_spec_file,
)
from hybrid_toolkit.sweep.trial import EVAL_KEYS, REPORTED_METRIC

EVALUATIONS = 10
"""Evaluations per trial when the sweep does not fix ``run.eval_freq`` (ASHA decides there)."""


def _registered(flag: str, name: str, lookup: Callable[[str], Any], what: str) -> str:
    if not name:
        raise UserError(flag, "nothing", f"a registered {what} (in the sweep file or as {flag})")
    try:
        lookup(name)
    except UnknownNameError as err:
        raise UserError(flag, repr(name), f"a registered {what} ({err})") from None
    return name


def _mapping(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise UserError(f"SPEC {key}", repr(value), "a mapping of group.field to values")
    return value


def build_spec(args: SweepArgs) -> tuple[SweepSpec, str]:
    """The sweep the file and the options describe, with every default chosen; and its name.

    Raises:
        UserError: Unknown names or fields, malformed axes, or a searcher that cannot search
            the space.
    """
    data = read_spec_file(Path(args.spec)) if args.spec else {}
    spec = SweepSpec(
        algo=_registered("--algo", args.algo or data.get("algo", ""), get_algorithm, "algorithm"),
        env=_registered("--env", args.env or data.get("env", ""), env_spec, "environment"),
    )
    spec.preset = args.preset or str(data.get("preset", "default"))
    presets = get_algorithm(spec.algo).presets
    if spec.preset not in presets:
        raise UserError("--preset", repr(spec.preset), f"a preset of {spec.algo}: {presets}")
    fixed = [*_mapping(data, "fixed").items(), *map(fixed_from_option, args.fixed)]
    spec.fixed = {field_key(k, spec, f"fixed {k}"): v for k, v in fixed}
    axes = [(k, axis_from_file(k, v)) for k, v in _mapping(data, "space").items()]
    axes += map(axis_from_option, args.space)
    spec.space = {field_key(k, spec, f"space {k}"): axis for k, axis in axes}
    spec.num_samples = _count("--num-samples", args.num_samples or data.get("num_samples", 1), 1)
    spec.seed = _count("--seed", args.seed if args.seed >= 0 else data.get("seed", 0), 0)
    _choose(spec, args, data)
    name = args.name or (Path(args.spec).stem if args.spec else f"{spec.algo}-{spec.env}")
    return spec, name


def _count(flag: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise UserError(flag, repr(value), f"an integer >= {minimum}")
    return value


def _option(given: str, data: Mapping[str, Any], key: str) -> str:
    return given if given != "auto" else str(data.get(key, ""))


def _choose(spec: SweepSpec, args: SweepArgs, data: Mapping[str, Any]) -> None:
    """Pick searcher, scheduler, metric and mode (the options, the file's, else the defaults)."""
    if not spec.space:
        raise UserError("--space", "no search axis", "at least one axis (--space or the file's)")
    grid_only = all(axis.kind == "grid" for axis in spec.space.values())
    spec.searcher = _option(args.searcher, data, "searcher") or ("grid" if grid_only else "optuna")
    spec.scheduler = _option(args.scheduler, data, "scheduler") or "asha"
    if spec.searcher not in ("optuna", "random", "grid") or spec.scheduler not in ("asha", "fifo"):
        raise UserError("SPEC", f"{spec.searcher}/{spec.scheduler}", "optuna|random|grid/asha|fifo")
    if spec.searcher == "grid" and not grid_only:
        raise UserError("--searcher", "grid", "grid axes only (or --searcher random / optuna)")
    base = base_document(spec)
    if "run.eval_freq" not in spec.fixed and not base["run"]["eval_freq"]:
        spec.fixed["run.eval_freq"] = max(1, base["run"]["total_timesteps"] // EVALUATIONS)
    reported = has_reported_metric(_eval_env(base))
    spec.metric = args.metric or str(data.get("metric", ""))
    spec.metric = spec.metric or (REPORTED_METRIC if reported else EVAL_KEYS[0])
    metrics = [*EVAL_KEYS, *([REPORTED_METRIC] if reported else [])]
    if spec.metric not in metrics:
        raise UserError("--metric", repr(spec.metric), f"a reported key: {', '.join(metrics)}")
    spec.mode = _option(args.mode, data, "mode") or (
        "min" if spec.metric == REPORTED_METRIC else "max"
    )
    if spec.mode not in ("max", "min"):
        raise UserError("--mode", repr(spec.mode), "max or min")


def _eval_env(base: Mapping[str, Any]) -> Any:
    record = record_from_document(base, "SPEC", Path("sweep"))
    return make(record.env_name, num_envs=1, device="cpu", config=record.env)


def resources_of(args: SweepArgs, base: Mapping[str, Any]) -> Resources:
    """Where the trials run: the options, with GPUs per trial chosen where CUDA is present."""
    for flag, value in (("--num-cpus", args.num_cpus), ("--max-concurrent", args.max_concurrent)):
        if value < 0:
            raise UserError(flag, str(value), "an integer >= 0 (0: all local cores)")
    gpus = args.gpus_per_trial
    if gpus < 0:
        device = str(base["run"]["device"])
        gpus = 1.0 if torch.cuda.is_available() and device != "cpu" else 0.0
    if str(base["run"]["device"]).startswith("cuda") and gpus == 0:
        # Ray hides the GPUs from a trial that reserves none.
        raise UserError("--gpus-per-trial", f"{gpus:g}", "> 0 for trials on run.device cuda")
    return Resources(args.address, args.num_cpus, args.max_concurrent, gpus, args.verbose)


def prepare_sweep(args: SweepArgs) -> Callable[[], int]:
    """Set up ``hybrid-toolkit sweep``; returns the job that runs it.

    Raises:
        UserError: (or ``ValueError``) a refused option or value, or a sweep folder holding
            another sweep.
        MissingOptionalDependencyError: Ray Tune or Optuna is not installed.
    """
    spec, name = build_spec(args)
    base = base_document(spec)
    check_space(spec, base)
    resources = resources_of(args, base)
    sweep_dir = Path(args.out_dir) / name
    check_sweep_folder(sweep_dir.resolve(), spec)
    require_tune()
    optimum = getattr(_eval_env(base), "optimal_return", None)

    def job() -> int:
        results = run_sweep(spec, sweep_dir, resources)
        expected = spec.num_samples * spec.grid_size
        ended = results.num_terminated + results.num_errors
        rows = trial_rows(results, spec, sweep_dir.resolve(), complete=ended >= expected)
        paths = write_results(rows, spec, sweep_dir.resolve(), optimum)
        print((sweep_dir / "results.md").read_text(), end="")
        print(f"sweep folder  : {sweep_dir} ({ended} of {expected} trials ended)")
        if paths["best"] is not None:
            best = sweep_dir / paths["best"].name  # as the user named the folder
            print(f"best config   : {best}")
            print(f"train it again: hybrid-toolkit train --config {best}")
        if ended < expected:
            print("interrupted   : run the same command again to resume (finished trials stay)")
            return 1
        return 0 if not results.num_errors else 1

    return job

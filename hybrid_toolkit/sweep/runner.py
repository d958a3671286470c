"""Run a sweep on Ray Tune: the searcher, the scheduler, the resources, and resuming.

A sweep's folder holds ``sweep.json`` (what is searched), ``tune/`` (Ray Tune's experiment
state and per-trial results) and ``trials/<trial id>/`` (each trial's run directory). Running
the same command again restores the experiment from ``tune/`` (``Tuner.restore``): finished
trials are kept, unfinished ones start again, and the searcher continues where it stopped.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hybrid_toolkit.cli.errors import UserError
from hybrid_toolkit.sweep.spec import SweepSpec, base_document
from hybrid_toolkit.sweep.trial import TIME_KEY, run_trial
from hybrid_toolkit.utils.optional_deps import require

SPEC_FILE = "sweep.json"
TUNE_DIR = "tune"


@dataclass(frozen=True)
class Resources:
    """Where the trials run.

    Attributes:
        address: Ray cluster to join (``ray://HOST:PORT`` or ``auto``); empty starts Ray here.
        num_cpus: CPUs of the local Ray (0: all cores); ignored with ``address``.
        max_concurrent: Trials running at once (0: the local CPUs, or no limit on a cluster).
        gpus_per_trial: GPUs each trial reserves (may be fractional).
        verbose: Ray Tune's progress output (0 silent, 1 status table).
    """

    address: str = ""
    num_cpus: int = 0
    max_concurrent: int = 0
    gpus_per_trial: float = 0.0
    verbose: int = 1

    @property
    def local_cpus(self) -> int:
        """CPUs of the local Ray instance."""
        return self.num_cpus or os.cpu_count() or 1

    @property
    def concurrency(self) -> int:
        """``max_concurrent``, defaulting to one trial per local CPU (0: no limit)."""
        if self.max_concurrent:
            return self.max_concurrent
        return 0 if self.address else self.local_cpus


def require_tune() -> None:
    """Raise :class:`~hybrid_toolkit.utils.optional_deps.MissingOptionalDependencyError` (with
    the ``pip install`` command) unless Ray Tune and Optuna are installed."""
    require(("ray.tune", "optuna"), extra="tune", feature="hybrid-toolkit sweep")


def check_sweep_folder(sweep_dir: Path, spec: SweepSpec) -> bool:
    """Whether ``sweep_dir`` holds this sweep already (then it is resumed).

    Raises:
        UserError: The folder holds another sweep (resuming it with other settings would mix
            two searches in one table).
    """
    path = sweep_dir / SPEC_FILE
    if not path.is_file():
        return False
    if json.loads(path.read_text()) != spec.to_json():
        raise UserError(
            "--name",
            repr(sweep_dir.name),
            f"a new sweep name: {sweep_dir} holds another sweep ({path} differs); "
            "give --name or delete the folder",
        )
    return True


def init_ray(resources: Resources) -> bool:
    """Start Ray here (or join ``resources.address``) unless this process already did; returns
    whether it did (the caller then shuts Ray down when done). The bench grids'
    :func:`~hybrid_toolkit.bench.grid_runner.connect_ray` does it, so sweeps and grids start
    Ray alike (no dashboard, workers importing this package from the same folder)."""
    from hybrid_toolkit.bench.grid_runner import GridOptions, connect_ray

    return connect_ray(GridOptions(address=resources.address, num_cpus=resources.local_cpus))


def _searcher(spec: SweepSpec, concurrency: int) -> tuple[Any, int | None]:
    """The search algorithm, and the ``max_concurrent_trials`` Tune should add (Tune limits a
    ``Searcher`` such as Optuna itself, but the basic generator only through its argument)."""
    if spec.searcher != "optuna":
        from ray.tune.search.basic_variant import BasicVariantGenerator

        return BasicVariantGenerator(random_state=spec.seed, max_concurrent=concurrency), None
    from ray.tune.search import Repeater
    from ray.tune.search.optuna import OptunaSearch

    optuna = OptunaSearch(seed=spec.seed)
    if spec.searched_by_repeats:  # each proposal once per grid point; Optuna sees their mean
        return Repeater(optuna, repeat=spec.grid_size, set_index=True), concurrency or None
    return optuna, concurrency or None


def _scheduler(spec: SweepSpec, base: dict[str, Any]) -> Any:
    if spec.scheduler != "asha":
        return None
    from ray.tune.schedulers import ASHAScheduler

    budgets = [base["run"]["total_timesteps"]]
    axis = spec.space.get("run.total_timesteps")
    budgets += [int(v) for v in axis.values] if axis else []
    max_t = max(budgets)
    return ASHAScheduler(
        time_attr=TIME_KEY, max_t=max_t, grace_period=max(1, max_t // 4), reduction_factor=2
    )


def _param_space(spec: SweepSpec) -> dict[str, Any]:
    from ray import tune

    make = {
        "grid": lambda v: tune.grid_search(list(v)),
        "choice": lambda v: tune.choice(list(v)),
        "uniform": lambda v: tune.uniform(*v),
        "log_uniform": lambda v: tune.loguniform(*v),
    }
    repeats = spec.searched_by_repeats
    return {
        key: make[axis.kind](axis.values)
        for key, axis in spec.space.items()
        if not (repeats and axis.kind == "grid")
    }


def _trainable(spec: SweepSpec, sweep_dir: Path, resources: Resources) -> Any:
    from ray import tune

    with_args = tune.with_parameters(
        run_trial, spec=spec, base=base_document(spec), sweep_dir=str(sweep_dir)
    )
    return tune.with_resources(with_args, {"cpu": 1, "gpu": resources.gpus_per_trial})


def run_sweep(spec: SweepSpec, sweep_dir: Path, resources: Resources) -> Any:
    """Run (or resume) the sweep in ``sweep_dir``; returns Ray Tune's ``ResultGrid``.

    ``spec`` must be resolved (searcher, metric and mode chosen; see
    :func:`hybrid_toolkit.cli.sweep.resolve_spec`).
    """
    require_tune()
    import ray

    sweep_dir = sweep_dir.resolve()
    resuming = check_sweep_folder(sweep_dir, spec)
    sweep_dir.mkdir(parents=True, exist_ok=True)
    (sweep_dir / SPEC_FILE).write_text(json.dumps(spec.to_json(), indent=2) + "\n")
    started = init_ray(resources)
    try:
        return _fit(spec, sweep_dir, resources, resuming)
    finally:
        if started:
            ray.shutdown()


def _fit(spec: SweepSpec, sweep_dir: Path, resources: Resources, resuming: bool) -> Any:
    from ray import tune

    trainable = _trainable(spec, sweep_dir, resources)
    experiment = sweep_dir / TUNE_DIR
    if resuming and tune.Tuner.can_restore(str(experiment)):
        tuner = tune.Tuner.restore(str(experiment), trainable, resume_errored=True)
        return tuner.fit()
    searcher, max_concurrent = _searcher(spec, resources.concurrency)
    tuner = tune.Tuner(
        trainable,
        param_space=_param_space(spec),
        tune_config=tune.TuneConfig(
            metric=spec.metric,
            mode=spec.mode,
            search_alg=searcher,
            scheduler=_scheduler(spec, base_document(spec)),
            num_samples=spec.num_samples * (spec.grid_size if spec.searched_by_repeats else 1),
            max_concurrent_trials=max_concurrent,
        ),
        run_config=tune.RunConfig(
            storage_path=str(sweep_dir), name=TUNE_DIR, verbose=resources.verbose
        ),
    )
    return tuner.fit()

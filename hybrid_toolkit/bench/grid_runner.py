"""Run a bench suite's grid of independent runs one after another or as Ray Tune trials.

A suite turns every run its cache lacks into a :class:`GridJob` (a picklable ``() -> value``,
usually a :func:`functools.partial` of a module-level training function) and hands the list to
:func:`run_grid` with an ``on_result(index, value)`` that stores the value in the suite's cache
exactly as the sequential loop always did. :func:`run_grid` calls ``on_result`` in this process,
in job order when sequential and as each trial finishes under Ray, so an interrupted grid
resumes from its cache either way; the suite then builds its tables and plots from the cache,
which is why a Ray run writes the same result files as a sequential one of the same seeds.

Every Ray trial runs one job with ``threads`` torch threads (the suite's ``--threads``, 1 by
default, the same as the sequential loop, so numbers match) and reserves that many CPUs, plus
``--gpus-per-trial`` GPUs when the device is CUDA. Ray is the optional ``[tune]`` extra: the
default runner ``auto`` uses it only where it pays (see :meth:`GridOptions.resolved_runner`):
for a full grid, not for the seconds-to-minutes smoke and quick modes.
"""

from __future__ import annotations

import base64
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import torch
from tqdm.auto import tqdm

import hybrid_toolkit
from hybrid_toolkit.bench.registry import BenchOptions, shown_default
from hybrid_toolkit.utils.optional_deps import is_installed

Runner = Literal["auto", "sequential", "ray"]
RUNNERS: tuple[str, ...] = ("auto", "sequential", "ray")
INSTALL_HINT = "pip install 'hybrid-toolkit[tune]'"
"""How a user without Ray gets it (the optional extra)."""


@dataclass
class GridOptions(BenchOptions):
    """Options of a suite whose grid of runs can run as Ray Tune trials."""

    runner: Runner = "auto"
    """How the grid's missing runs are executed. sequential: one after another in this process;
    ray: as Ray Tune trials (the [tune] extra); auto: Ray in full mode when it is installed and
    at least two runs and two trial slots make it pay, else sequential (Ray's start-up costs
    seconds a smoke or quick run does not have)."""
    max_concurrent: Annotated[int, shown_default("as many as the CPUs hold")] = 0
    """Most Ray trials at a time (1 with --runner auto: sequential)."""
    num_cpus: Annotated[int, shown_default("all cores")] = 0
    """CPUs of the local Ray instance this suite starts (ignored with --address)."""
    address: str = ""
    """Ray cluster to join (ray://HOST:PORT, HOST:PORT or auto); empty: start Ray locally."""
    gpus_per_trial: float = 1.0
    """GPUs each Ray trial reserves when --device is cuda (a fraction shares one GPU)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.runner not in RUNNERS:
            raise ValueError(f"runner must be one of {', '.join(RUNNERS)}, got {self.runner!r}")
        for name in ("max_concurrent", "num_cpus"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0 (0: the default), got {getattr(self, name)}")
        if not self.gpus_per_trial > 0:
            raise ValueError(f"gpus_per_trial must be > 0, got {self.gpus_per_trial}")
        if self.address and self.runner == "sequential":
            raise ValueError(
                f"address must be empty with runner 'sequential' (joining a Ray cluster needs "
                f"runner ray or auto), got {self.address!r}"
            )
        asked = f"address {self.address!r}" if self.address else f"runner {self.runner!r}"
        if (self.runner == "ray" or self.address) and not is_installed("ray.tune"):
            raise ValueError(
                f"{asked} needs Ray Tune, which is not installed; install it with: "
                f"{INSTALL_HINT} (or use --runner sequential)"
            )

    def resolved_runner(self, jobs: int, threads: int = 1) -> Literal["sequential", "ray"]:
        """The runner that executes ``jobs`` runs of ``threads`` torch threads each.

        ``auto`` picks Ray only where it can win: full mode (Ray takes seconds to start and its
        workers to import torch, which smoke and quick runs would spend waiting: quick modes
        promise 3 minutes on 2 cores), at least two runs, and a cluster address or room for two
        trials at a time on this machine. Without Ray it says so in one line.
        """
        if self.runner != "auto":
            return self.runner
        if self.address:
            return "ray"
        cpus = self.num_cpus or os.cpu_count() or 1
        slots = min(cpus // threads, self.max_concurrent or cpus)
        if self.mode != "full" or jobs < 2 or slots < 2:
            return "sequential"
        if not is_installed("ray.tune"):
            print(f"note: running the grid sequentially; for parallel trials: {INSTALL_HINT}")
            return "sequential"
        return "ray"


@dataclass(frozen=True)
class GridJob:
    """One independent run of a grid.

    Attributes:
        label: How progress lines and errors name it (``"jrp_n3 hpo seed 1"``).
        run: ``() -> value`` that trains the run; picklable (a module-level function or a
            :func:`functools.partial` of one), since Ray runs it in another process.
    """

    label: str
    run: Callable[[], Any]


class GridRunError(RuntimeError):
    """A Ray Tune trial of the grid failed; the message names the run and carries its error."""


OnResult = Callable[[int, Any], None]
"""``on_result(index of the job, its value)``, called in this process as each job finishes."""


def run_grid(
    jobs: Sequence[GridJob],
    options: GridOptions,
    on_result: OnResult,
    *,
    threads: int = 1,
    progress: str = "",
) -> None:
    """Run every job and hand each value to ``on_result``, sequentially or on Ray Tune.

    Args:
        jobs: The runs to train (a suite passes only those its cache lacks).
        options: The suite's options (runner, concurrency, cluster address, device).
        on_result: Stores a finished run (the suite's cache write).
        threads: torch threads of each run; a Ray trial reserves as many CPUs.
        progress: Description of a progress bar over the jobs; empty: no bar.

    Raises:
        GridRunError: A Ray trial failed (after the other trials finished and were stored).
    """
    if not jobs:
        return
    bar = tqdm(total=len(jobs), desc=progress, unit="run", disable=not progress)

    def deliver(index: int, value: Any) -> None:
        on_result(index, value)
        bar.update()

    try:
        if options.resolved_runner(len(jobs), threads) == "ray":
            _run_on_ray(jobs, options, deliver, threads)
        else:
            for index, job in enumerate(jobs):
                bar.set_postfix_str(job.label)
                deliver(index, job.run())
    finally:
        bar.close()


def _trial(config: dict[str, Any], jobs: Sequence[GridJob], threads: int) -> dict[str, str]:
    """A Ray Tune trial: run job ``config["job"]``; its value travels back pickled."""
    torch.set_num_threads(threads)
    value = jobs[config["job"]].run()
    return {"value": base64.b64encode(pickle.dumps(value)).decode("ascii")}


def _value(result: dict[str, Any]) -> Any:
    return pickle.loads(base64.b64decode(result["value"]))


def _run_on_ray(
    jobs: Sequence[GridJob], options: GridOptions, deliver: OnResult, threads: int
) -> None:
    """Run ``jobs`` as the trials of one Tune experiment; deliver values as trials finish."""
    import ray
    from ray import tune

    delivered: set[int] = set()

    def deliver_once(index: int, value: Any) -> None:
        if index not in delivered:
            delivered.add(index)
            deliver(index, value)

    class Deliver(tune.Callback):
        """Hands each trial's value to ``deliver`` in the driver, as the trial finishes."""

        def __init__(self, deliver: OnResult) -> None:
            self.deliver = deliver

        def on_trial_result(
            self, iteration: int, trials: Any, trial: Any, result: Any, **_: Any
        ) -> None:
            if "value" in result:
                self.deliver(trial.config["job"], _value(result))

        def __getstate__(self) -> dict[str, Any]:
            return {}  # Tune pickles its settings; the driver's cache writer stays out of it

    started = connect_ray(options)
    storage = tempfile.mkdtemp(prefix="hybrid-toolkit-grid-")
    try:
        gpus = options.gpus_per_trial if options.device.startswith("cuda") else 0
        trainable = tune.with_resources(
            tune.with_parameters(_trial, jobs=list(jobs), threads=threads),
            {"cpu": threads, "gpu": gpus},
        )
        # With a Ray Client address Tune runs on the cluster, where a callback would write the
        # cache on the head node: there the values are delivered from the result grid instead.
        client = options.address.startswith("ray://")
        tuner = tune.Tuner(
            trainable,
            param_space={"job": tune.grid_search(list(range(len(jobs))))},
            tune_config=tune.TuneConfig(
                max_concurrent_trials=options.max_concurrent or None, reuse_actors=True
            ),
            run_config=tune.RunConfig(
                name="grid",
                storage_path=storage,
                verbose=0,
                callbacks=[] if client else [Deliver(deliver_once)],
            ),
        )
        grid = tuner.fit()
        failures: list[tuple[int, BaseException]] = []
        for result in (grid[i] for i in range(len(grid))):
            index = result.config["job"] if result.config else -1
            if result.error is not None:
                failures.append((index, result.error))
            elif result.metrics and "value" in result.metrics:
                deliver_once(index, _value(result.metrics))
    finally:
        shutil.rmtree(storage, ignore_errors=True)
        if started:
            ray.shutdown()
    lost = [i for i in range(len(jobs)) if i not in delivered and i not in dict(failures)]
    failures += [(i, RuntimeError("the trial ended without reporting its value")) for i in lost]
    if failures:
        index, error = failures[0]
        label = jobs[index].label if index >= 0 else "a run"
        cause = getattr(error, "cause", None) or error  # a RayTaskError wraps the run's own
        raise GridRunError(
            f"{len(failures)} of {len(jobs)} grid runs failed as Ray Tune trials; the first, "
            f"{label}, raised {type(cause).__name__}: {cause}\n{error}"
        ) from error


def connect_ray(options: GridOptions) -> bool:
    """Join ``options.address`` or start Ray locally; whether this call started it.

    Workers import this package from the same folder as this process (a source checkout or
    worktree on ``PYTHONPATH`` works as well as an install); on a remote cluster that folder
    does not exist and the nodes' own install is used.
    """
    import ray

    if ray.is_initialized():
        return False
    root = str(Path(hybrid_toolkit.__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH", ""))))
    runtime_env = {"env_vars": {"PYTHONPATH": path}}
    if options.address:
        ray.init(address=options.address, runtime_env=runtime_env, log_to_driver=False)
    else:
        ray.init(
            num_cpus=options.num_cpus or None,
            runtime_env=runtime_env,
            include_dashboard=False,
            log_to_driver=False,
            # Ray runs its workers at nice 15 by default: on a machine with anything else to
            # do, the trials would then get almost no CPU (measured: 25 % of a core each beside
            # two other jobs), where the sequential runner's runs get a fair share.
            _system_config={"worker_niceness": 0},
        )
    return True

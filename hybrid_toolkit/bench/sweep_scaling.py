"""``hybrid-toolkit bench sweep-scaling``: wall time of a sweep, one trial at a time vs several.

The same ``trials`` equal trials (PPO on TargetRegime-v0, one seed each, the same budget) run as
a ``hybrid-toolkit sweep`` on a local Ray with ``--max-concurrent 1`` and then with each
larger value of ``concurrency``, in one process (Ray is started once, before the clock runs).
A trial holds one CPU and one torch thread, so on a machine with ``c`` free cores the sweep
with ``--max-concurrent c`` should take about ``1/c`` of the sequential wall time; the table
shows the measured ratio, and the load average says how free the cores were. Full mode runs
the concurrencies in the order 1, 2, 2, 1 and reports the median of each, so drift in the load
weighs on both. Needs the ``[tune]`` extra.

Writes ``sweep-scaling.json`` and ``sweep-scaling-table.md`` under ``--out-dir`` (the sweeps
themselves run in a temporary folder);
``docs/sweeps.md`` includes the committed table from ``--mode full --out-dir docs/benchmarks``.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

from hybrid_toolkit.bench.registry import BY_MODE, BenchOptions, register_suite, with_mode_defaults
from hybrid_toolkit.bench.report import environment, environment_lines, load_average, write_json
from hybrid_toolkit.sweep.runner import Resources, init_ray, require_tune, run_sweep
from hybrid_toolkit.sweep.spec import Axis, SweepSpec
from hybrid_toolkit.utils.optional_deps import is_installed

MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {"steps": 64, "trials": 2, "repeats": 1},
    "quick": {"steps": 20_000, "trials": 4, "repeats": 1},
    "full": {"steps": 60_000, "trials": 4, "repeats": 2},
}
"""Per mode: PPO steps per trial, trials per sweep, and passes over the concurrencies."""


@dataclass
class SweepScalingOptions(BenchOptions):
    """Options of the ``sweep-scaling`` suite."""

    steps: Annotated[int, BY_MODE] = 0
    """PPO steps per trial (smoke 64, quick 20,000, full 60,000)."""
    trials: Annotated[int, BY_MODE] = 0
    """Equal trials per sweep (smoke 2, quick and full 4)."""
    repeats: Annotated[int, BY_MODE] = 0
    """Passes over the concurrencies, alternating their order (smoke and quick 1, full 2)."""
    concurrency: tuple[int, ...] = (1, 2)
    """--max-concurrent values to time (the first is the baseline of the ratios)."""
    num_cpus: int = 2
    """CPUs of the local Ray instance."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.concurrency or min(self.concurrency) < 1:
            raise ValueError(
                f"SweepScalingOptions.concurrency must be integers >= 1, got {self.concurrency}"
            )


def scaling_spec(opts: SweepScalingOptions) -> SweepSpec:
    """``trials`` equal PPO trials on TargetRegime-v0: a grid over the seed, nothing stopped."""
    return SweepSpec(
        algo="ppo",
        env="TargetRegime-v0",
        fixed={
            "algo.gamma": 0.5,
            "run.total_timesteps": opts.steps,
            "run.eval_freq": opts.steps,
            "run.device": opts.device,
        },
        space={"run.seed": Axis("grid", tuple(range(opts.trials)))},
        num_samples=1,
        searcher="grid",
        scheduler="fifo",
        metric="eval/mean_reward",
        mode="max",
    )


def time_sweep(
    spec: SweepSpec, folder: Path, concurrency: int, num_cpus: int
) -> tuple[float, float]:
    """Wall seconds of one fresh sweep (its folder removed first, so nothing is resumed), and
    the mean seconds one of its trials ran (Tune's ``time_total_s``): when trials side by side
    each take longer than alone, they were not given a free core each."""
    shutil.rmtree(folder, ignore_errors=True)
    resources = Resources(num_cpus=num_cpus, max_concurrent=concurrency, verbose=0)
    start = time.perf_counter()
    results = run_sweep(spec, folder, resources)
    seconds = time.perf_counter() - start
    if results.num_errors:
        raise RuntimeError(f"{results.num_errors} trial(s) of the sweep in {folder} failed")
    return seconds, statistics.mean(r.metrics["time_total_s"] for r in results)


def markdown(opts: SweepScalingOptions, rows: list[dict[str, Any]], env: dict[str, Any]) -> str:
    """The table of wall times and ratios, and the machine it was measured on."""
    lines = [
        "| --max-concurrent | wall time (s) | ratio to --max-concurrent "
        f"{opts.concurrency[0]} | speed-up | one trial (s) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['concurrency']} | {row['seconds']:.1f} | {row['ratio']:.2f} "
            f"| {1 / row['ratio']:.2f}x | {row['trial_seconds']:.1f} |"
        )
    lines += [
        "",
        f"{opts.trials} equal trials (PPO on TargetRegime-v0, {opts.steps:,} steps each, seeds "
        f"0–{opts.trials - 1}) on a local Ray with {opts.num_cpus} CPUs, one torch thread per "
        f"trial; median of {opts.repeats} sweep(s) per row, measured in one run "
        "(one trial: how long a trial ran, start-up excluded) "
        "(`hybrid-toolkit bench sweep-scaling --mode "
        f"{opts.mode}`).",
        "",
        *environment_lines(env),
    ]
    return "\n".join(lines) + "\n"


@register_suite(
    "sweep-scaling",
    SweepScalingOptions,
    "wall time of a 4-trial sweep on Ray Tune: --max-concurrent 1 vs 2",
)
def run(options: SweepScalingOptions) -> int:
    """Time the sweeps; writes ``sweep-scaling.json`` and ``sweep-scaling-table.md``."""
    opts = with_mode_defaults(options, MODE_DEFAULTS)
    out = Path(opts.out_dir)
    if opts.mode == "smoke" and not is_installed("ray.tune"):  # the default tests, no extra
        write_json(out / "sweep-scaling.json", {"suite": "sweep-scaling", "skipped": "no Ray"})
        (out / "sweep-scaling-table.md").write_text("Skipped: Ray Tune is not installed.\n")
        return 0
    require_tune()
    import ray

    started = init_ray(Resources(num_cpus=opts.num_cpus))
    try:
        return _measure(opts, out)
    finally:
        if started:
            ray.shutdown()


def _measure(opts: SweepScalingOptions, out: Path) -> int:
    spec = scaling_spec(opts)
    env = environment(opts.device)
    seconds: dict[int, list[float]] = {c: [] for c in opts.concurrency}
    per_trial: dict[int, list[float]] = {c: [] for c in opts.concurrency}
    for repeat in range(opts.repeats):  # 1, 2, then 2, 1: drift of the load weighs on both
        order = opts.concurrency if repeat % 2 == 0 else tuple(reversed(opts.concurrency))
        for c in order:
            with tempfile.TemporaryDirectory(prefix="sweep-scaling-") as scratch:
                wall, trial = time_sweep(spec, Path(scratch) / f"c{c}", c, opts.num_cpus)
            seconds[c].append(wall)
            per_trial[c].append(trial)
            print(f"--max-concurrent {c}: {wall:.1f} s (a trial {trial:.1f} s)", flush=True)
    env["load_average_end"] = load_average()
    base = statistics.median(seconds[opts.concurrency[0]])
    rows = [
        {
            "concurrency": c,
            "seconds": statistics.median(s),
            "ratio": statistics.median(s) / base,
            "trial_seconds": statistics.median(per_trial[c]),
        }
        for c, s in seconds.items()
    ]
    write_json(
        out / "sweep-scaling.json",
        {
            "suite": "sweep-scaling",
            "settings": asdict(opts),
            "environment": env,
            "rows": rows,
            "all_seconds": {str(c): s for c, s in seconds.items()},
        },
    )
    block = markdown(opts, rows, env)
    (out / "sweep-scaling-table.md").write_text(block)
    print(block)
    return 0

"""Training cost per environment step: the decision-time suite's second table.

A decision is only part of what an environment step costs in training: the off-policy
algorithms also run their gradient steps. Here each algorithm trains, at its **own preset**
(networks, loop and search as a user gets them), on a one-step ``TargetMultiDiscrete-v0``
problem of ``d`` ordinal components of ``choices`` levels (``101^10`` actions by default, the
job shop's size), and the wall time per batched environment step is split into

* ``act``: collecting, less the environment itself (decisions, replay storage),
* ``env``: ``env.step``,
* ``update``: the gradient steps that follow the step.

Every model first trains ``warmup`` transitions (past any random warm-up and the first update),
then the algorithms take turns, one timed run each, ``repeats`` times (the median is reported),
so a load change on a shared machine hits them alike. The module imports only the public API, so
it also times an older checkout of the library (``python training_cost.py`` with that checkout
on ``PYTHONPATH``, see ``docs/benchmarks/decision-time.md``).
"""

from __future__ import annotations

import json
import math
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

import hybrid_toolkit as ht
from hybrid_toolkit.bench.report import (
    environment,
    load_average,
    replace_named_block,
    write_json,
)
from hybrid_toolkit.bench.speed.flops import counted_flops, mm_rate
from hybrid_toolkit.bench.timing import Stopwatch
from hybrid_toolkit.utils.config import apply_overrides

TRAINERS: dict[str, tuple[str, str]] = {
    "DGRL (job-shop)": ("dgrl", "job-shop"),
    "DGRL": ("dgrl", "default"),
    "DNC (SA)": ("dnc", "default"),
    "DNC (greedy)": ("dnc", "greedy"),
    "Cacla": ("cacla", "default"),
}
"""Rows: name → (algorithm, preset). DGRL's ``job-shop`` preset (twin critics of 3 × 256, the
issue's setting) and its default (3 × 128); DNC and Cacla at their defaults (critic 2 × 64)."""

TRAINING_REFERENCE = "DGRL (job-shop)"
"""The row every other one is divided by."""

PARTS = ("act", "env", "update", "cpu")


@dataclass(frozen=True)
class TimingSettings:
    """How the rows are timed."""

    repeats: int = 3
    """Interleaved timed runs per row (the median is reported)."""
    seconds: float = 2.0
    """Approximate duration of one timed run."""
    warmup: int = 2000
    """Transitions each model trains before it is timed."""


@dataclass
class Trainer:
    """One model stepping its env, with the time of each part accumulated."""

    name: str
    model: Any
    num_envs: int
    parts: Stopwatch = field(init=False)
    env: Stopwatch = field(init=False)
    runs: list[dict[str, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.parts = Stopwatch(self.model, {"collect": "collect", "update": "update"})
        self.env = Stopwatch(self.model.env, {"step": "env"})

    def rounds(self, count: int) -> dict[str, float]:
        """``count`` collect + update rounds: ms per batched env step, in all and per part
        (wall time), and ``cpu``: this process's CPU time per step (what a shared machine's
        waiting for a core does not inflate)."""
        self.parts.reset()
        self.env.reset()
        steps = self.model.num_timesteps
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            self.model.update(self.model.collect())
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
        env = self.env.totals["env"]
        run = {
            "total": total,
            "act": self.parts.totals["collect"] - env,
            "env": env,
            "update": self.parts.totals["update"],
            "cpu": cpu,
        }
        return {key: 1e3 * value / self.batched_steps(steps) for key, value in run.items()}

    def batched_steps(self, since: int) -> float:
        """Batched env steps taken since ``num_timesteps`` was ``since``."""
        return max((self.model.num_timesteps - since) / self.num_envs, 1e-9)

    def flops_per_step(self) -> float:
        """Matrix-product FLOPs of one batched env step (one counted round, not timed)."""
        steps = self.model.num_timesteps
        flops, _ = counted_flops(lambda: self.model.update(self.model.collect()))
        return flops / self.batched_steps(steps)


def build_trainer(
    name: str, components: int, choices: int, seed: int = 0, device: str = "cpu"
) -> Trainer:
    """The row ``name`` of `TRAINERS`, untrained, on ``choices ** components`` actions."""
    algo, preset = TRAINERS[name]
    cls = ht.get_algorithm(algo)
    config = apply_overrides(cls.config_class(), cls.presets[preset])
    env = ht.make(
        "TargetMultiDiscrete-v0",
        num_envs=config.num_envs,
        device=device,
        n_components=components,
        component_size=choices,
        horizon=1,
    )
    model = cls(env, config, seed=seed, device=device, verbose=0)
    return Trainer(name, model, config.num_envs)


def warm_up(trainer: Trainer, transitions: int) -> None:
    """Train ``transitions`` steps, then declare the budget spent, so any random warm-up share
    and learning-start share of the budget lie behind and every round runs its updates."""
    trainer.model.learn(transitions)
    trainer.model.total_timesteps_target = trainer.model.num_timesteps


def calibrate(trainer: Trainer, seconds: float) -> int:
    """Rounds per timed run, so that one run lasts about ``seconds`` (at least one)."""
    start = time.perf_counter()
    trainer.rounds(1)
    return max(1, round(seconds / max(time.perf_counter() - start, 1e-9)))


def measure_space(
    names: tuple[str, ...],
    components: int,
    choices: int,
    timing: TimingSettings,
    seed: int = 0,
    device: str = "cpu",
    verbose: bool = True,
) -> list[dict[str, Any]]:
    """Interleaved timed runs of every row on one space; one JSON-ready record per row."""
    trainers = [build_trainer(n, components, choices, seed, device) for n in names]
    for trainer in trainers:
        warm_up(trainer, timing.warmup)
    counts = [calibrate(t, timing.seconds) for t in trainers]
    flops = [t.flops_per_step() for t in trainers]
    rate = mm_rate(1024, 256, device)  # the shape of DBU's critic layers
    for _ in range(max(timing.repeats, 1)):
        for trainer, count in zip(trainers, counts, strict=True):
            trainer.runs.append(trainer.rounds(count))
    records = []
    for trainer, count, flop in zip(trainers, counts, flops, strict=True):
        totals = [r["total"] for r in trainer.runs]
        q1, _, q3 = (
            statistics.quantiles(totals, n=4, method="inclusive")
            if len(totals) > 1
            else (totals[0],) * 3
        )
        algo, preset = TRAINERS[trainer.name]
        per_step = {p: statistics.median(r[p] for r in trainer.runs) for p in PARTS}
        record: dict[str, Any] = {
            "algorithm": trainer.name,
            "algo": algo,
            "preset": preset,
            "components": components,
            "choices": choices,
            "log10_cardinality": components * math.log10(choices),
            "num_envs": trainer.num_envs,
            "rounds_per_run": count,
            "ms_per_step": per_step,
            "median_ms": statistics.median(totals),
            "q25_ms": q1,
            "q75_ms": q3,
            "runs_ms": totals,
            "gflop_per_step": flop / 1e9,
            "mm_gflops": rate / 1e9,
            "floor_ms": 1e3 * flop / rate,
        }
        records.append(record)
        if verbose:
            parts = " ".join(f"{p} {per_step[p]:.2f}" for p in PARTS)
            parts += f" floor {record['floor_ms']:.2f}"
            print(
                f"{choices}^{components} {trainer.name:16s} {record['median_ms']:8.2f} ms/step "
                f"({parts})",
                flush=True,
            )
    return records


def _ratio(value: float, reference: float | None) -> str:
    return f"{value / reference:.2f}×" if reference else "–"


def training_markdown(records: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """One table per space: ms per batched env step, its parts, the ratio to the reference."""
    lines = [
        f"- {meta['when']}; 1-minute load average {meta['load_start']:.1f} at the start, "
        f"{meta['load_end']:.1f} at the end; torch threads {meta['threads']}, "
        f"device {meta['device']}",
        f"- one-step `TargetMultiDiscrete-v0` (horizon 1); each model trained "
        f"{meta['warmup']} transitions first; median [inter-quartile range] of "
        f"{meta['repeats']} interleaved timed runs of ~{meta['seconds']} s each, in "
        "milliseconds per batched env step of a preset's scenarios "
        f"({'/'.join(str(n) for n in sorted({r['num_envs'] for r in records}))} here; "
        "`act` + `env` + `update`); "
        "CPU ms: this process's CPU time per step; GFLOP: matrix-product FLOPs per step; "
        "matmul floor: those FLOPs at this machine's `torch.mm` rate (timed with each space)",
        "",
    ]
    spaces = list(dict.fromkeys((r["components"], r["choices"]) for r in records))
    for components, choices in spaces:
        rows = [r for r in records if (r["components"], r["choices"]) == (components, choices)]
        ref = next((r["median_ms"] for r in rows if r["algorithm"] == TRAINING_REFERENCE), None)
        rate = rows[0]["mm_gflops"]
        lines += [f"#### {choices}^{components} actions (`torch.mm` {rate:.0f} GFLOP/s)", ""]
        lines.append(
            "| algorithm | preset | ms per env step | act | env | update | CPU ms "
            f"| GFLOP | matmul floor ms | ratio to {TRAINING_REFERENCE} |"
        )
        lines.append("|---" * 10 + "|")
        for r in rows:
            part = r["ms_per_step"]
            lines.append(
                f"| {r['algorithm']} | `{r['preset']}` "
                f"| {r['median_ms']:.2f} [{r['q25_ms']:.2f}, {r['q75_ms']:.2f}] "
                f"| {part['act']:.2f} | {part['env']:.2f} | {part['update']:.2f} "
                f"| {part['cpu']:.2f} | {r['gflop_per_step']:.3f} | {r['floor_ms']:.2f} "
                f"| {_ratio(r['median_ms'], ref)} |"
            )
        lines.append("")
    return "\n".join(lines)


def run_training(
    names: tuple[str, ...],
    spaces: tuple[int, ...],
    choices: int,
    timing: TimingSettings,
    seed: int,
    device: str,
    out: Path,
    docs_page: str = "",
) -> list[dict[str, Any]]:
    """Every row on every space (``choices ** d`` actions for ``d`` in ``spaces``): writes
    ``training-cost.{json,md}`` under ``out`` and the page's ``training-cost`` block."""
    meta: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_start": load_average(),
        "threads": torch.get_num_threads(),
        "device": device,
        "repeats": max(timing.repeats, 1),
        "seconds": timing.seconds,
        "warmup": timing.warmup,
        "environment": environment(device),
    }
    records = []
    for d in spaces:
        records += measure_space(names, d, choices, timing, seed, device)
    meta["load_end"] = load_average()
    json_path = write_json(out / "training-cost.json", {**meta, "results": records})
    block = training_markdown(records, meta)
    (out / "training-cost.md").write_text(block)
    print(block)
    if docs_page:
        page = replace_named_block(docs_page, "training-cost", block)
        if page.with_name(json_path.name).resolve() != json_path.resolve():
            shutil.copyfile(json_path, page.with_name(json_path.name))
        print(f"updated {page}")
    return records


def main(argv: list[str]) -> int:
    """``python training_cost.py NAME [COMPONENTS CHOICES REPEATS SECONDS WARMUP]``: one row,
    printed as JSON (for timing another checkout in a subprocess; one torch thread)."""
    torch.set_num_threads(1)
    components, choices, timing = 10, 101, TimingSettings()
    if len(argv) > 1:
        components, choices = int(argv[1]), int(argv[2])
        timing = TimingSettings(int(argv[3]), float(argv[4]), int(argv[5]))
    record = measure_space((argv[0],), components, choices, timing, verbose=False)
    print(json.dumps(record[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""``hybrid-toolkit bench hpo-envs-speed``: HPO environments, batched vs one scenario at a time.

For each env (joint replenishment with n = 5 items; switched LQR, n = 3, M = 2) and batch size
B (full: 128, 1024, 8192) it times whole episodes of ``env.step`` with a fixed valid action (the
last step of an episode autoresets the env, so each timed episode includes one reset):

* ``replay``: fixed scenarios (the dev split tiled to B), how HPO trains and evaluates;
* ``fresh``: new exogenous noise drawn at every reset (its cost is included);
* ``autograd``: replay with the continuous action requiring grad, the graph kept over the
  episode and one backward pass of the episode cost at the end (what HPO does);
* ``validated``: replay with ``validate_actions=True`` (a device sync per step).

The four modes' episodes are interleaved, so their ratios (``replay / fresh`` is reported) hold
when the machine's load changes during the run; ``replay / fresh`` compares CPU times, which a
shared machine's load barely moves.

The baseline is the same env made one scenario at a time by
``gymnasium.make("hybrid_toolkit/<id>")`` and stepped through gymnasium's ``SyncVectorEnv`` (numpy
actions at the boundary), timed on a few steps of B = 128 and B = 1024 sub-environments. Every
setting is repeated; medians are reported.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import gymnasium
import numpy as np
import torch

from hybrid_toolkit.bench.registry import BY_MODE, BenchOptions, register_suite, with_mode_defaults
from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    load_average,
    publish,
    write_json,
)
from hybrid_toolkit.envs import HybridEnv, make
from hybrid_toolkit.envs.families.inventory import JointReplenishmentEnv
from hybrid_toolkit.envs.families.lqr import SwitchedLQREnv
from hybrid_toolkit.spaces import HybridAction

ENVS: dict[str, dict[str, Any]] = {
    "JointReplenishment-v0": {"n_items": 5},
    "SwitchedLQR-v0": {},
}
"""Env id → its configuration."""
MODES = ("replay", "fresh", "autograd", "validated")
"""The batched settings timed, in table order."""

MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {"batch_sizes": (8,), "baseline_batch_sizes": (4,), "baseline_steps": 2, "repeats": 1},
    "quick": {
        "batch_sizes": (128, 1024, 8192),
        "baseline_batch_sizes": (128,),
        "baseline_steps": 5,
        "repeats": 1,
    },
    "full": {
        "batch_sizes": (128, 1024, 8192),
        "baseline_batch_sizes": (128, 1024),
        "baseline_steps": 20,
        "repeats": 5,
    },
}
"""What every option left at 0 / empty means in each mode."""


@dataclass
class HPOEnvsSpeedOptions(BenchOptions):
    """Settings of the HPO environments speed benchmark; 0 or empty: the mode's default."""

    batch_sizes: Annotated[tuple[int, ...], BY_MODE] = ()
    """Scenarios B of the batched env; full and quick 128, 1024, 8192."""
    baseline_batch_sizes: Annotated[tuple[int, ...], BY_MODE] = ()
    """Sub-environments of the gymnasium SyncVectorEnv baseline; full 128, 1024; quick 128."""
    baseline_steps: Annotated[int, BY_MODE] = 0
    """Timed steps of the baseline per repeat; full 20, quick 5."""
    repeats: Annotated[int, BY_MODE] = 0
    """Timed episodes per cell (after one warm-up), the median reported; full 5, quick 1."""
    seed: int = 0
    """Seed of the scenarios."""
    threads: int = 1
    """torch intra-op threads: ops on a few thousand elements are below torch's parallel grain
    size, and a second thread only adds synchronisation on a busy 2-core machine."""
    docs_page: str = ""
    """Docs page whose results block is rewritten; empty: none."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("batch_sizes", "baseline_batch_sizes"):
            if any(b < 1 for b in getattr(self, name)):
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in ("baseline_steps", "repeats"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 1 (0: the mode's default)")
        if self.threads < 1:
            raise ValueError(f"threads must be >= 1, got {self.threads}")


def constant_action(env: HybridEnv, requires_grad: bool = False) -> HybridAction:
    """A valid action every scenario repeats: order 10 of every item / mode 0 with u = 0."""
    batch = env.num_envs
    if isinstance(env, JointReplenishmentEnv):
        action = env.make_action(
            torch.ones(batch, dtype=torch.bool), torch.full((batch, env.n_items), 10.0)
        )
    elif isinstance(env, SwitchedLQREnv):
        action = env.make_action(torch.zeros(batch), torch.zeros(batch, env.control_dim))
    else:
        raise TypeError(f"no benchmark action for {type(env).__name__}")
    continuous = action.continuous.detach().to(env.device).requires_grad_(requires_grad)
    return HybridAction(action.discrete.to(env.device), continuous)


def make_batched(name: str, batch: int, mode: str, device: str) -> HybridEnv:
    """The batched env of one setting (replay modes replay the dev split, tiled to ``batch``)."""
    env = make(
        name, num_envs=batch, device=device, validate_actions=mode == "validated", **ENVS[name]
    )
    if mode != "fresh":
        dev = env.scenarios("dev")  # type: ignore[attr-defined]
        if batch < dev.shape[0]:
            dev = dev[:batch]
        env.set_scenarios(dev)  # type: ignore[attr-defined]
    return env


def episode_seconds(env: HybridEnv, mode: str) -> tuple[float, float]:
    """Wall and CPU time of one episode: ``horizon`` steps, the last of which autoresets the
    env (in fresh mode drawing the next episode's noise), plus the backward pass in autograd
    mode. Consecutive calls chain episodes, so each pays for exactly one reset.

    CPU time (``time.process_time``) counts only this process's work, so on a machine shared
    with other jobs it stays close to what the episode costs on a quiet one, where wall time
    also counts the time spent waiting for a core.
    """
    horizon = env.horizon  # type: ignore[attr-defined]
    action = constant_action(env, requires_grad=mode == "autograd")
    start, cpu_start = time.perf_counter(), time.process_time()
    if mode == "autograd":
        total = torch.zeros((), device=env.device)
        for _ in range(horizon):
            total = total - env.step(action).reward.sum()
        total.backward()
    else:
        with torch.no_grad():
            for _ in range(horizon):
                env.step(action)
    return time.perf_counter() - start, time.process_time() - cpu_start


def batched_rates(
    name: str, batch: int, opts: HPOEnvsSpeedOptions
) -> dict[str, tuple[float, float]]:
    """Median scenario-periods per second of wall and of CPU time of every mode.

    The modes' episodes are interleaved (one episode of each per repeat), so a change of the
    machine's load during the measurement affects every mode alike and their ratios hold.
    """
    envs = {mode: make_batched(name, batch, mode, opts.device) for mode in MODES}
    for mode, env in envs.items():
        env.reset(seed=opts.seed)
        episode_seconds(env, mode)  # warm-up
    times: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
    for _ in range(opts.repeats):
        for mode, env in envs.items():
            times[mode].append(episode_seconds(env, mode))
    periods = batch * envs["replay"].horizon  # type: ignore[attr-defined]
    return {
        mode: (
            periods / statistics.median(t[0] for t in ts),
            periods / statistics.median(t[1] for t in ts),
        )
        for mode, ts in times.items()
    }


def gymnasium_rate(name: str, batch: int, opts: HPOEnvsSpeedOptions) -> float:
    """Scenario-periods per second of a SyncVectorEnv of ``batch`` single gymnasium envs."""
    gym_id = f"hybrid_toolkit/{name}"
    vector = gymnasium.vector.SyncVectorEnv(
        [lambda: gymnasium.make(gym_id, **ENVS[name]) for _ in range(batch)]
    )
    vector.reset(seed=opts.seed)
    one = constant_action(make(name, **ENVS[name]))
    action = {
        "discrete": np.repeat(one.discrete.numpy(), batch, axis=0),
        "continuous": np.repeat(one.continuous.detach().numpy(), batch, axis=0),
    }
    vector.step(action)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(opts.baseline_steps):
            vector.step(action)
        times.append(time.perf_counter() - start)
    vector.close()
    return batch * opts.baseline_steps / statistics.median(times)


def fmt(rate: float) -> str:
    """A rate in millions (``1.23 M``) or thousands (``45.6 k``)."""
    return f"{rate / 1e6:.2f} M" if rate >= 1e5 else f"{rate / 1e3:.1f} k"


def measure(opts: HPOEnvsSpeedOptions) -> list[dict[str, Any]]:
    """One row per (env, B): the rate of every mode, replay's CPU-time rate, the baseline."""
    rows: list[dict[str, Any]] = []
    for name in ENVS:
        baseline = {b: gymnasium_rate(name, b, opts) for b in opts.baseline_batch_sizes}
        for batch in opts.batch_sizes:
            both = batched_rates(name, batch, opts)
            measured = batch in baseline
            rows.append(
                {
                    "env": name,
                    "num_envs": batch,
                    "rates": {mode: wall for mode, (wall, _) in both.items()},
                    "replay_cpu_time_rate": both["replay"][1],
                    "cpu_time_rates": {mode: cpu for mode, (_, cpu) in both.items()},
                    "gymnasium": baseline[batch]
                    if measured
                    else statistics.median(baseline.values()),
                    "gymnasium_measured_at_this_b": measured,
                }
            )
            print(f"{name} B={batch}: replay {fmt(rows[-1]['rates']['replay'])}", flush=True)
    return rows


def markdown(rows: list[dict[str, Any]], opts: HPOEnvsSpeedOptions, env: dict[str, Any]) -> str:
    """Settings, machine, the table of rates and ratios, and the B = 1024 summary."""
    lines = [
        f"Seed {opts.seed}; medians of {opts.repeats} episode(s) per cell (after one warm-up "
        "episode).",
        "",
        *environment_lines(env),
        "",
        "| env | B | replay | replay (CPU time) | fresh | replay / fresh (CPU time) | autograd "
        "| validated | gymnasium SyncVectorEnv | replay / gymnasium |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    summary: list[str] = []
    sizes = "/".join(str(b) for b in opts.baseline_batch_sizes)
    for row in rows:
        rates, gym, cpu = row["rates"], row["gymnasium"], row["replay_cpu_time_rate"]
        slowdown = cpu / row["cpu_time_rates"]["fresh"]
        note = "" if row["gymnasium_measured_at_this_b"] else f" (B={sizes} median)"
        lines.append(
            f"| {row['env']} | {row['num_envs']} | {fmt(rates['replay'])} | {fmt(cpu)} "
            f"| {fmt(rates['fresh'])} | {slowdown:.2f}× "
            f"| {fmt(rates['autograd'])} "
            f"| {fmt(rates['validated'])} | {fmt(gym)}{note} "
            f"| {rates['replay'] / gym:,.0f}× |"
        )
        if row["num_envs"] == 1024:
            summary.append(
                f"* {row['env']}, B = 1024: {fmt(rates['replay'])} scenario-periods/s without "
                f"autograd (replay; {fmt(cpu)} per second of CPU time), "
                f"{rates['replay'] / gym:,.0f}× the gymnasium loop; fresh demand "
                f"{fmt(rates['fresh'])} ({slowdown:.2f}× replay's CPU time)."
            )
    return "\n".join([*lines, "", *summary]).rstrip() + "\n"


@register_suite(
    "hpo-envs-speed",
    HPOEnvsSpeedOptions,
    "HPO envs scenario-periods/s: batched (replay, fresh, autograd, validated) vs gymnasium",
)
def run(options: HPOEnvsSpeedOptions) -> int:
    """Time every (env, B, mode); writes ``hpo-envs-speed.{json,md}`` under ``out_dir``."""
    opts = with_mode_defaults(options, MODE_DEFAULTS)
    torch.set_num_threads(opts.threads)
    torch.manual_seed(opts.seed)
    env = environment(opts.device)
    rows = measure(opts)
    env["load_average_end"] = load_average()
    out = Path(opts.out_dir)
    write_json(
        out / "hpo-envs-speed.json",
        {
            "suite": "hpo-envs-speed",
            "settings": asdict(opts),
            "environment": env,
            "repeats": opts.repeats,
            "results": rows,
        },
    )
    publish(markdown(rows, opts, env), out / "hpo-envs-speed.md", None, opts.docs_page)
    return 0

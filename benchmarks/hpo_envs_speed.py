"""Scenario-periods per second of the HPO environments, batched vs one scenario at a time.

For each env (joint replenishment with n = 5 items; switched LQR, n = 3, M = 2) and batch size
B ∈ {128, 1024, 8192} it times whole episodes of ``env.step`` with a fixed valid action (the
last step of an episode autoresets the env, so each timed episode includes one reset):

* ``replay``: fixed scenarios (the dev split tiled to B), how HPO trains and evaluates;
* ``fresh``: new exogenous noise drawn at every reset (its cost is included);
* ``autograd``: replay with the continuous action requiring grad, the graph kept over the
  episode and one backward pass of the episode cost at the end (what HPO does);
* ``validated``: replay with ``validate_actions=True`` (a device sync per step).

The baseline is the same env made one scenario at a time by
``gymnasium.make("hybrid_toolkit/<id>")`` and stepped through gymnasium's ``SyncVectorEnv`` (numpy
actions at the boundary), timed on a few steps of B = 128 and B = 1024 sub-environments. Every
setting is repeated; medians are reported.

Writes the raw rates to ``bench_results/hpo-envs-speed.json`` and rewrites the results block of
``docs/benchmarks/hpo-envs-speed.md``.

Usage:
    python benchmarks/hpo_envs_speed.py            # updates docs/benchmarks/hpo-envs-speed.md
    python benchmarks/hpo_envs_speed.py --quick    # one repeat, smaller baseline, prints only
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
import torch

from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    load_average,
    replace_results_block,
    write_json,
)
from hybrid_toolkit.envs import HybridEnv, make
from hybrid_toolkit.envs.families.inventory import JointReplenishmentEnv
from hybrid_toolkit.envs.families.lqr import SwitchedLQREnv
from hybrid_toolkit.spaces import HybridAction

SEED = 0
BATCHES = (128, 1024, 8192)
ENVS: dict[str, dict[str, object]] = {
    "JointReplenishment-v0": {"n_items": 5},
    "SwitchedLQR-v0": {},
}
ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "benchmarks" / "hpo-envs-speed.md"
JSON_OUTPUT = ROOT / "bench_results" / "hpo-envs-speed.json"


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


def make_batched(name: str, batch: int, mode: str) -> HybridEnv:
    env = make(name, num_envs=batch, validate_actions=mode == "validated", **ENVS[name])
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
        total = torch.zeros(())
        for _ in range(horizon):
            total = total - env.step(action).reward.sum()
        total.backward()
    else:
        with torch.no_grad():
            for _ in range(horizon):
                env.step(action)
    return time.perf_counter() - start, time.process_time() - cpu_start


def batched_rate(name: str, batch: int, mode: str, repeats: int) -> tuple[float, float]:
    """Median scenario-periods per second of wall and of CPU time over ``repeats`` episodes."""
    env = make_batched(name, batch, mode)
    env.reset(seed=SEED)
    episode_seconds(env, mode)  # warm-up
    horizon = env.horizon  # type: ignore[attr-defined]
    times = [episode_seconds(env, mode) for _ in range(repeats)]
    wall = statistics.median(t[0] for t in times)
    cpu = statistics.median(t[1] for t in times)
    return batch * horizon / wall, batch * horizon / cpu


def gymnasium_rate(name: str, batch: int, steps: int, repeats: int) -> float:
    """Scenario-periods per second of a SyncVectorEnv of ``batch`` single gymnasium envs."""
    gym_id = f"hybrid_toolkit/{name}"
    vector = gymnasium.vector.SyncVectorEnv(
        [lambda: gymnasium.make(gym_id, **ENVS[name]) for _ in range(batch)]
    )
    vector.reset(seed=SEED)
    single = make(name, **ENVS[name])
    one = constant_action(single)
    action = {
        "discrete": np.repeat(one.discrete.numpy(), batch, axis=0),
        "continuous": np.repeat(one.continuous.detach().numpy(), batch, axis=0),
    }
    vector.step(action)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            vector.step(action)
        times.append(time.perf_counter() - start)
    vector.close()
    return batch * steps / statistics.median(times)


def fmt(rate: float) -> str:
    return f"{rate / 1e6:.2f} M" if rate >= 1e5 else f"{rate / 1e3:.1f} k"


def run(quick: bool) -> tuple[str, dict[str, Any]]:
    """The Markdown results block and the raw results."""
    repeats = 1 if quick else 5
    env_info = environment()
    lines = [
        "| env | B | replay | replay (CPU time) | fresh | autograd | validated "
        "| gymnasium SyncVectorEnv | replay / gymnasium |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    summary: list[str] = []
    raw: list[dict[str, Any]] = []
    for name in ENVS:
        baseline: dict[int, float] = {}
        for batch in (128,) if quick else (128, 1024):
            baseline[batch] = gymnasium_rate(name, batch, steps=5 if quick else 20, repeats=3)
        for batch in BATCHES:
            both = {
                mode: batched_rate(name, batch, mode, repeats)
                for mode in ("replay", "fresh", "autograd", "validated")
            }
            rates = {mode: wall for mode, (wall, _) in both.items()}
            replay_cpu = both["replay"][1]
            gym = baseline.get(batch, statistics.median(baseline.values()))
            measured = "" if batch in baseline else " (B=128/1024 median)"
            raw.append(
                {
                    "env": name,
                    "num_envs": batch,
                    "rates": rates,
                    "replay_cpu_time_rate": replay_cpu,
                    "gymnasium": gym,
                }
            )
            lines.append(
                f"| {name} | {batch} | {fmt(rates['replay'])} | {fmt(replay_cpu)} "
                f"| {fmt(rates['fresh'])} | {fmt(rates['autograd'])} "
                f"| {fmt(rates['validated'])} | {fmt(gym)}{measured} "
                f"| {rates['replay'] / gym:,.0f}× |"
            )
            print(lines[-1], flush=True)
            if batch == 1024:
                summary.append(
                    f"* {name}, B = 1024: {fmt(rates['replay'])} scenario-periods/s without "
                    f"autograd (replay; {fmt(replay_cpu)} per second of CPU time), "
                    f"{rates['replay'] / gym:,.0f}× the gymnasium loop."
                )
    env_info["load_average_end"] = load_average()
    header = [
        f"Seed {SEED}; medians of {repeats} episode(s) per cell (after one warm-up episode).",
        "",
        *environment_lines(env_info),
        "",
    ]
    block = "\n".join([*header, *lines, "", *summary])
    return block, {"environment": env_info, "repeats": repeats, "results": raw}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, small baseline")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="markdown file to update")
    parser.add_argument("--json", type=Path, default=JSON_OUTPUT, help="raw results file")
    # One thread: ops on a few thousand elements are below torch's parallel grain size, and a
    # second thread only adds synchronisation on a busy 2-core machine.
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    block, raw = run(args.quick)
    print(block)
    if not args.quick:
        write_json(args.json, raw)
        print(f"updated {replace_results_block(args.output, block)}")


if __name__ == "__main__":
    main()

"""Scenario-periods per second of the HPO environments, batched vs one scenario at a time.

For each env (joint replenishment with n = 5 items; switched LQR, n = 3, M = 2) and batch size
B ∈ {128, 1024, 8192} it times whole episodes of ``env.step`` with a fixed valid action:

* ``replay``: fixed scenarios (the dev split tiled to B), how HPO trains and evaluates;
* ``fresh``: new exogenous noise drawn at every reset (its cost is included);
* ``autograd``: replay with the continuous action requiring grad, the graph kept over the
  episode and one backward pass of the episode cost at the end (what HPO does);
* ``validated``: replay with ``validate_actions=True`` (a device sync per step).

The baseline is the same env made one scenario at a time by
``gymnasium.make("hybrid_toolkit/<id>")`` and stepped through gymnasium's ``SyncVectorEnv`` (numpy
actions at the boundary), timed on a few steps of B = 128 and B = 1024 sub-environments. Every
setting is repeated; medians are reported.

Usage:
    python benchmarks/hpo_envs_speed.py            # writes docs/benchmarks/hpo-envs-speed.md
    python benchmarks/hpo_envs_speed.py --quick    # one repeat, smaller baseline
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import gymnasium
import numpy as np
import torch

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
OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks" / "hpo-envs-speed.md"


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


def episode_seconds(env: HybridEnv, mode: str) -> float:
    """Wall time of one episode (reset + horizon steps, + backward in autograd mode)."""
    horizon = env.horizon  # type: ignore[attr-defined]
    action = constant_action(env, requires_grad=mode == "autograd")
    start = time.perf_counter()
    env.reset()
    if mode == "autograd":
        total = torch.zeros(())
        for _ in range(horizon):
            total = total - env.step(action).reward.sum()
        total.backward()
    else:
        with torch.no_grad():
            for _ in range(horizon):
                env.step(action)
    return time.perf_counter() - start


def batched_rate(name: str, batch: int, mode: str, repeats: int) -> float:
    """Median scenario-periods per second over ``repeats`` episodes (after one warm-up)."""
    env = make_batched(name, batch, mode)
    env.reset(seed=SEED)
    episode_seconds(env, mode)
    horizon = env.horizon  # type: ignore[attr-defined]
    times = [episode_seconds(env, mode) for _ in range(repeats)]
    return batch * horizon / statistics.median(times)


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


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [line.split(":", 1)[1].strip() for line in info if "model name" in line]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), gymnasium {gymnasium.__version__}, "
        f"numpy {np.__version__}, Python {platform.python_version()}"
    )


def fmt(rate: float) -> str:
    return f"{rate / 1e6:.2f} M" if rate >= 1e5 else f"{rate / 1e3:.1f} k"


def run(quick: bool) -> str:
    repeats = 1 if quick else 5
    load_before = os.getloadavg()
    lines = [
        "| env | B | replay | fresh | autograd | validated | gymnasium SyncVectorEnv "
        "| replay / gymnasium |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    summary: list[str] = []
    for name in ENVS:
        baseline: dict[int, float] = {}
        for batch in (128,) if quick else (128, 1024):
            baseline[batch] = gymnasium_rate(name, batch, steps=5 if quick else 20, repeats=3)
        for batch in BATCHES:
            rates = {
                mode: batched_rate(name, batch, mode, repeats)
                for mode in ("replay", "fresh", "autograd", "validated")
            }
            gym = baseline.get(batch, statistics.median(baseline.values()))
            measured = "" if batch in baseline else " (B=128/1024 median)"
            lines.append(
                f"| {name} | {batch} | {fmt(rates['replay'])} | {fmt(rates['fresh'])} "
                f"| {fmt(rates['autograd'])} | {fmt(rates['validated'])} "
                f"| {fmt(gym)}{measured} | {rates['replay'] / gym:,.0f}× |"
            )
            if batch == 1024:
                summary.append(
                    f"* {name}, B = 1024: {fmt(rates['replay'])} scenario-periods/s without "
                    f"autograd (replay), {rates['replay'] / gym:,.0f}× the gymnasium loop."
                )
    load_after = os.getloadavg()
    header = [
        f"Machine: {machine()}.",
        f"Seed {SEED}; medians of {repeats} episode(s) per cell (after one warm-up episode); "
        f"1-minute load average {load_before[0]:.1f} before and {load_after[0]:.1f} after "
        "(other jobs shared the machine when it is above the CPU count).",
        "",
    ]
    return "\n".join([*header, *lines, "", *summary])


def write(table: str, path: Path) -> None:
    text = path.read_text() if path.exists() else ""
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
        path.write_text(f"{head}{start}\n{table}\n{end}{tail}")
    else:
        path.write_text(f"{start}\n{table}\n{end}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, small baseline")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="markdown file to update")
    # One thread: ops on a few thousand elements are below torch's parallel grain size, and a
    # second thread only adds synchronisation on a busy 2-core machine.
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    table = run(args.quick)
    print(table)
    if not args.quick:
        write(table, args.output)


if __name__ == "__main__":
    main()

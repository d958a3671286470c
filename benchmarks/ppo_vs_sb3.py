"""Environment steps per second while training: hybrid_toolkit's PPO vs Stable-Baselines3's PPO.

Both train on the same batched environment (SB3 through ``HybridToSB3VecEnv``), with the same
network sizes, rollout length, epochs and minibatch size, in one run, side by side. Each setting is
repeated and the median throughput is reported with the ratio.

Usage:
    python benchmarks/ppo_vs_sb3.py           # full table -> docs/benchmarks/ppo-vs-sb3.md
    python benchmarks/ppo_vs_sb3.py --quick   # smaller, for a smoke check
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import stable_baselines3
import torch
from stable_baselines3 import PPO as SB3PPO

import hybrid_toolkit as ht
from hybrid_toolkit.envs.adapters.sb3 import HybridToSB3VecEnv

ENV_ID = "TargetRegime-v0"
HIDDEN = (64, 64)
N_STEPS = 64
N_EPOCHS = 4
N_MINIBATCHES = 4


def ours_fps(num_envs: int, total: int, seed: int) -> float:
    model = ht.PPO(
        ht.make(ENV_ID, num_envs=num_envs, validate_actions=False),
        seed=seed,
        verbose=0,
        num_envs=num_envs,
        n_steps=N_STEPS,
        n_epochs=N_EPOCHS,
        n_minibatches=N_MINIBATCHES,
        policy_hidden=HIDDEN,
        value_hidden=HIDDEN,
    )
    model.learn(N_STEPS * num_envs)  # warm-up iteration, not timed
    start = time.perf_counter()
    model.learn(total)
    return model.num_timesteps / (time.perf_counter() - start)


def sb3_fps(num_envs: int, total: int, seed: int) -> float:
    venv = HybridToSB3VecEnv(ht.make(ENV_ID, num_envs=num_envs, validate_actions=False))
    rollout = N_STEPS * num_envs
    model = SB3PPO(
        "MlpPolicy",
        venv,
        n_steps=N_STEPS,
        batch_size=rollout // N_MINIBATCHES,
        n_epochs=N_EPOCHS,
        seed=seed,
        verbose=0,
        device="cpu",
        policy_kwargs={"net_arch": {"pi": list(HIDDEN), "vf": list(HIDDEN)}},
    )
    model.learn(N_STEPS * num_envs)  # warm-up iteration, not timed
    start = time.perf_counter()
    model.learn(total)
    return model.num_timesteps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="docs/benchmarks/ppo-vs-sb3.md")
    args = parser.parse_args()
    torch.set_num_threads(torch.get_num_threads())
    sizes = [16, 64] if args.quick else [16, 64, 256]
    repeats = 1 if args.quick else args.repeats
    rows = []
    for num_envs in sizes:
        total = N_STEPS * num_envs * (2 if args.quick else 4)
        ours = [ours_fps(num_envs, total, seed) for seed in range(repeats)]
        sb3 = [sb3_fps(num_envs, total, seed) for seed in range(repeats)]
        med_ours, med_sb3 = statistics.median(ours), statistics.median(sb3)
        rows.append((num_envs, total, med_ours, med_sb3, med_ours / med_sb3))
        print(
            f"B={num_envs:4d} steps={total:6d} ours={med_ours:10.0f}/s sb3={med_sb3:9.0f}/s "
            f"ratio={med_ours / med_sb3:5.1f}x",
            flush=True,
        )
    lines = [
        "# PPO training throughput: hybrid_toolkit vs Stable-Baselines3",
        "",
        f"Environment `{ENV_ID}`, both libraries on the same batched env (SB3 through "
        "`HybridToSB3VecEnv`), policy and value MLPs "
        f"{list(HIDDEN)}, n_steps={N_STEPS}, {N_EPOCHS} epochs, {N_MINIBATCHES} minibatches per "
        f"epoch, CPU. Median of {repeats} run(s) (seeds 0..{repeats - 1}); "
        "throughput = environment steps (summed over the batch) per wall-clock second of "
        "`learn`, after one untimed warm-up iteration.",
        "",
        "| scenarios B | steps per run | ours (steps/s) | SB3 (steps/s) | ratio |",
        "|---:|---:|---:|---:|---:|",
        *(f"| {b} | {t} | {o:,.0f} | {s:,.0f} | {r:.1f}× |" for b, t, o, s, r in rows),
        "",
        f"Produced by `python benchmarks/ppo_vs_sb3.py` on {platform.machine()} with "
        f"{torch.get_num_threads()} torch threads; Python {platform.python_version()}, "
        f"torch {torch.__version__}, stable-baselines3 {stable_baselines3.__version__}, "
        f"hybrid_toolkit {ht.__version__}.",
        "",
    ]
    if not args.quick:
        Path(args.out).write_text("\n".join(lines))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

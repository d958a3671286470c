"""``hybrid-toolkit bench hyar-target``: HyAR vs our hybrid PPO vs Stable-Baselines3's TD3.

Every algorithm trains on the same batched Target env with the same budget and seeds, in one
run, side by side; after every ``eval_every`` steps the deterministic policy is evaluated on 64
episodes of a separate batch (fixed evaluation seed) and its mean return is divided by the env's
known optimal return. The baselines are the ones a user would otherwise pick:

* ``ppo`` — ``hybrid_toolkit``'s hybrid PPO with the settings of its learning tests (γ 0.5,
  learning rate 1e-3; the Target envs are contextual bandits);
* ``sb3_td3`` — Stable-Baselines3's TD3 on the flattened action (``HybridToSB3VecEnv`` with
  one-hot discrete logits, argmax wins: the "make the discrete part continuous" workaround),
  with HyAR's TD3 settings of the ``target`` preset (64-64 networks, γ 0.5, learning rate 1e-3,
  batch 128, 4 updates per 2 batched steps of 8 scenarios, Gaussian exploration σ 0.1).

HyAR runs with its ``target`` preset; its budget includes the random warm-up (256 episodes =
2048 steps) and its VAE pre-training. Writes ``hyar-target.json`` (every curve),
``hyar-target-table.md`` (the docs page includes it) and ``hyar-target.png`` (median curves)
under ``--out-dir``; the committed results come from ``--mode full --out-dir docs/benchmarks``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import torch
from stable_baselines3 import TD3 as SB3TD3
from stable_baselines3.common.noise import NormalActionNoise

import hybrid_toolkit as ht
from hybrid_toolkit.bench.registry import BY_MODE, BenchOptions, register_suite, with_mode_defaults
from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    load_average,
    publish,
    write_json,
)
from hybrid_toolkit.envs.adapters.sb3 import HybridToSB3VecEnv, silent_sb3_logger
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.training import evaluate_policy

NUM_ENVS = 8


@dataclass(frozen=True)
class Case:
    """One benchmark environment: a registered id, config overrides and a step budget."""

    env_id: str
    budget: int
    env_kwargs: dict[str, Any] = field(default_factory=dict)

    def make(self, num_envs: int) -> ht.HybridEnv:
        """The case's env with ``num_envs`` scenarios."""
        return ht.make(self.env_id, num_envs=num_envs, **self.env_kwargs)


CASES: dict[str, Case] = {
    "regime-K3": Case("TargetRegime-v0", 20_000),
    "regime-K16x2": Case("TargetRegime-v0", 40_000, {"n_choices": 16, "param_dim": 2}),
    "hybrid-5^4x2": Case("TargetHybrid-v0", 40_000),
}
"""Benchmark cases: TargetRegime-v0 (3 regimes, 1 parameter each), a 16-regime variant with 2
parameters per regime, and TargetHybrid-v0 (4 ordinal levels of 5 = 625 joint choices and 2
shared parameters)."""


Learner = Callable[[int], None]
Actor = Callable[[torch.Tensor], HybridAction]


def ours(model: ht.BaseAlgorithm) -> tuple[Learner, Actor]:
    def learn(steps: int) -> None:
        model.learn(steps, reset_num_timesteps=False)

    return learn, lambda obs: model.act(obs, deterministic=True)


def make_hyar(case: Case, seed: int) -> tuple[Learner, Actor]:
    return ours(ht.HyAR(case.make(NUM_ENVS), "target", seed=seed, verbose=0))


def make_ppo(case: Case, seed: int) -> tuple[Learner, Actor]:
    return ours(ht.PPO(case.make(16), seed=seed, verbose=0, gamma=0.5, learning_rate=1e-3))


def make_sb3_td3(case: Case, seed: int) -> tuple[Learner, Actor]:
    venv = HybridToSB3VecEnv(case.make(NUM_ENVS), discrete_encoding="one_hot")
    n_flat = venv.flattener.n_flat
    model = SB3TD3(
        "MlpPolicy",
        venv,
        learning_rate=1e-3,
        buffer_size=50_000,
        learning_starts=2048,
        batch_size=128,
        gamma=0.5,
        train_freq=2,
        gradient_steps=4,
        action_noise=NormalActionNoise(np.zeros(n_flat), 0.1 * np.ones(n_flat)),
        policy_kwargs={"net_arch": [64, 64]},
        seed=seed,
        device="cpu",
        verbose=0,
    )
    model.set_logger(silent_sb3_logger())
    flattener = venv.flattener

    def learn(steps: int) -> None:
        model.learn(steps, reset_num_timesteps=False)

    def act(obs: torch.Tensor) -> HybridAction:
        flat, _ = model.predict(obs.cpu().numpy(), deterministic=True)
        return flattener.decode(torch.as_tensor(flat, dtype=torch.float32, device=obs.device))

    return learn, act


BUILDERS: dict[str, Callable[[Case, int], tuple[Learner, Actor]]] = {
    "hyar": make_hyar,
    "ppo": make_ppo,
    "sb3_td3": make_sb3_td3,
}


MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {"cases": ("regime-K3",), "seeds": (0,), "steps": 64, "eval_every": 32},
    "quick": {"cases": ("regime-K3",), "seeds": (0,), "steps": 4000, "eval_every": 2000},
    "full": {"cases": tuple(CASES), "seeds": (0, 1, 2), "steps": 0, "eval_every": 2000},
}
"""What every option left at 0 / empty means in each mode (full: each case's own budget)."""


@dataclass
class HyARTargetOptions(BenchOptions):
    """Options of the HyAR learning benchmark on the Target envs; 0 or empty: the mode's
    default."""

    cases: Annotated[tuple[str, ...], BY_MODE] = ()
    """Which cases of `CASES` to run; full all, quick regime-K3."""
    algorithms: tuple[str, ...] = ("hyar", "ppo", "sb3_td3")
    """Which of hyar, ppo, sb3_td3 to run."""
    seeds: Annotated[tuple[int, ...], BY_MODE] = ()
    """Seeds, every algorithm runs every seed; full 0, 1, 2; quick 0."""
    steps: Annotated[int, BY_MODE] = 0
    """Training steps of every case; 0 in full mode: each case's budget; quick 4000."""
    eval_every: Annotated[int, BY_MODE] = 0
    """Environment steps between evaluations; full and quick 2000."""
    threads: int = 1
    """`torch.set_num_threads`."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for kind, valid in (("algorithms", BUILDERS), ("cases", CASES)):
            unknown = [x for x in getattr(self, kind) if x not in valid]
            if unknown:
                raise ValueError(f"unknown {kind} {unknown}; valid: {', '.join(valid)}")
        if min(self.steps, self.eval_every, self.threads - 1, *self.seeds) < 0:
            raise ValueError("steps, eval_every and seeds must be >= 0, threads >= 1")


def run_one(algo: str, name: str, case: Case, seed: int, args: HyARTargetOptions) -> dict[str, Any]:
    """One training run, evaluated every ``eval_every`` steps: its learning curve."""
    learn, act = BUILDERS[algo](case, seed)
    eval_env: Any = case.make(32)  # a TargetEnv: it knows its optimal return
    budget = args.steps or case.budget
    steps, fractions, seconds = [], [], 0.0
    done = 0
    while done < budget:
        chunk = min(args.eval_every, budget - done)
        start = time.perf_counter()
        learn(chunk)
        seconds += time.perf_counter() - start
        done += chunk
        result = evaluate_policy(act, eval_env, 64, seed=123)
        steps.append(done)
        fractions.append(result.mean_reward / eval_env.optimal_return)
    print(f"{name:14s} {algo:8s} seed {seed}: {fractions[-1]:.3f} in {seconds:.0f} s", flush=True)
    return {"steps": steps, "fraction": fractions, "train_seconds": seconds}


def first_reaching(curve: dict[str, Any], level: float) -> float:
    """The first evaluated step whose fraction of the optimum is at least ``level`` (or nan)."""
    hits = [s for s, f in zip(curve["steps"], curve["fraction"], strict=True) if f >= level]
    return float(hits[0]) if hits else float("nan")


def markdown(results: dict[str, Any], args: HyARTargetOptions, env: dict[str, Any]) -> str:
    """The table of final fractions, steps to 90 % and train time, then settings and machine."""
    lines = [
        "| case | algorithm | steps | final return / optimum, median (min–max) | "
        "steps to 90 % (median) | train time, median (s) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, per_algo in results.items():
        for algo, runs in per_algo.items():
            finals = [r["fraction"][-1] for r in runs]
            reach = [first_reaching(r, 0.9) for r in runs]
            reached = [x for x in reach if not np.isnan(x)]
            reach_text = (
                f"{statistics.median(reached):,.0f}" if len(reached) == len(reach) else "not all"
            )
            lines.append(
                f"| {name} | {algo} | {runs[0]['steps'][-1]:,} | "
                f"{statistics.median(finals):.3f} ({min(finals):.3f}–{max(finals):.3f}) | "
                f"{reach_text} | {statistics.median(r['train_seconds'] for r in runs):.0f} |"
            )
    lines += [
        "",
        f"Seeds {list(args.seeds)}; evaluation every {args.eval_every:,} steps on 64 "
        f"episodes (fixed evaluation seed); mode `{args.mode}`.",
        "",
        *environment_lines(env),
    ]
    return "\n".join(lines) + "\n"


def plot(results: dict[str, Any], path: Path) -> Path:
    """Median curve and min–max band over seeds, one panel per case."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 4), squeeze=False)
    for ax, (name, per_algo) in zip(axes[0], results.items(), strict=True):
        for algo, runs in per_algo.items():
            curves = np.array([r["fraction"] for r in runs])
            steps = runs[0]["steps"]
            ax.plot(steps, np.median(curves, axis=0), label=algo)
            ax.fill_between(steps, curves.min(axis=0), curves.max(axis=0), alpha=0.2)
        ax.set_title(name)
        ax.set_xlabel("environment steps")
        ax.set_ylabel("eval return / optimal return")
        ax.set_ylim(top=1.02)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


@register_suite(
    "hyar-target",
    HyARTargetOptions,
    "Learning curves on the Target envs: HyAR vs our hybrid PPO vs Stable-Baselines3's TD3",
)
def run(options: HyARTargetOptions) -> int:
    """Train every (case, algorithm, seed); writes ``hyar-target{.json,-table.md,.png}``."""
    args = with_mode_defaults(options, MODE_DEFAULTS)
    torch.set_num_threads(args.threads)
    env = environment(args.device)
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name in args.cases:
        results[name] = {
            algo: [run_one(algo, name, CASES[name], s, args) for s in args.seeds]
            for algo in args.algorithms
        }
    env["load_average_end"] = load_average()
    out = Path(args.out_dir)
    cases = {name: asdict(CASES[name]) for name in args.cases}
    payload = {"args": asdict(args), "cases": cases, "environment": env, "results": results}
    write_json(out / "hyar-target.json", payload)
    png = plot(results, out / "hyar-target.png")
    publish(markdown(results, args, env), out / "hyar-target-table.md", png)
    return 0

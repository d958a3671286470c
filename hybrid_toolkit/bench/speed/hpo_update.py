"""``hybrid-toolkit bench hpo-update-speed``: seconds per HPO update, with a breakdown, beside PPO.

The issue's setting: n = 5 items, B = 128 scenarios, T = 100 periods, [512, 512] networks (the
paper's ``jrp`` preset). Each update is timed in the pieces the training loop runs, through the
same methods ``learn`` calls:

* ``rollout`` — ``collect``: T batched steps through the simulator with the autograd graph kept;
* ``prepare`` — reward scaling, the value network over all T·B states, GAE, edge trimming;
* ``epoch 0`` — the mixed-gradient step: one backward pass through the whole rollout (score
  function, cross term and pathwise gradient together), per-group clipping, one Adam step;
* ``PPO epochs`` — the 4 discrete-only epochs × 4 minibatches on the detached batch (stopped
  early once the approximate KL exceeds 0.015, so this part varies between updates);
* ``dev evaluation`` — greedy episode of the 1024 dev scenarios (once per 8 updates in training).

Side by side in the same run: decentralized HPO (no cross term), HPO with the per-piece
gradient norms (``piece_norms_interval=1``: a second backward pass), and the PPO baseline
(preset ``hpo-paper-jrp`` in HPO's raw-output space, model-free rollout under ``no_grad``) on
the same env and batch. Medians over the measured updates after warm-up updates; the projected
1600-update run is ``1600 × median update + 200 × dev evaluation``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import torch

from hybrid_toolkit.algorithms import HPO, PPO
from hybrid_toolkit.algorithms.hpo.steps import discrete_ppo_epochs
from hybrid_toolkit.bench.hpo_paper.raw_actions import RawActionWrapper
from hybrid_toolkit.bench.registry import BY_MODE, BenchOptions, register_suite, with_mode_defaults
from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    load_average,
    publish,
    write_json,
)
from hybrid_toolkit.envs import HybridEnv, make

PARTS = ("rollout", "prepare", "epoch 0", "PPO epochs")
"""The timed pieces of one HPO update, in the order ``update`` runs them."""
HORIZON = 100
"""Periods T of the joint-replenishment env (its registered default)."""
PPO_ROW = "PPO (hpo-paper-jrp)"

MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {"hidden": (8,), "batch": 8, "updates": 1, "warmup": 1},
    "quick": {"hidden": (64, 64), "batch": 128, "updates": 2, "warmup": 1},
    "full": {"hidden": (512, 512), "batch": 128, "updates": 5, "warmup": 2},
}
"""What every option left at 0 / empty means in each mode."""


@dataclass
class HPOUpdateSpeedOptions(BenchOptions):
    """Settings of the HPO update speed benchmark; 0 or empty: the mode's default."""

    hidden: Annotated[tuple[int, ...], BY_MODE] = ()
    """Hidden sizes of every network; full (512, 512), quick (64, 64)."""
    batch: Annotated[int, BY_MODE] = 0
    """Scenarios per rollout B; full and quick 128."""
    items: int = 5
    """Joint-replenishment items n."""
    updates: Annotated[int, BY_MODE] = 0
    """Measured updates per row, the median reported; full 5, quick 2."""
    warmup: Annotated[int, BY_MODE] = 0
    """Unmeasured updates first; full 2, quick 1."""
    seed: int = 0
    """Seed of the models."""
    threads: int = 1
    """torch intra-op threads."""
    docs_page: str = ""
    """Docs page whose results block is rewritten; empty: none."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("batch", "updates", "warmup"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 1 (0: the mode's default)")
        for name in ("items", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if any(h < 1 for h in self.hidden):
            raise ValueError(f"hidden must be layer sizes >= 1, got {self.hidden}")


def _env(opts: HPOUpdateSpeedOptions) -> HybridEnv:
    return make(
        "JointReplenishment-v0",
        opts.batch,
        device=opts.device,
        n_items=opts.items,
        validate_actions=False,
    )


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def hpo_update_parts(model: HPO) -> dict[str, float]:
    """Seconds of each part of one update (the pieces of ``HPO.update``)."""
    cfg = model.config
    pieces = bool(cfg.piece_norms_interval)
    t_roll, traj = _timed(model.collect)
    ent = model.entropy_coef(model.n_updates - 1)
    t_prep, data = _timed(lambda: model._prepare(traj))
    t_e0, _ = _timed(lambda: model._mixed_gradient_step(data, ent, pieces=pieces))
    detached = data.detached()
    t_ppo, _ = _timed(
        lambda: discrete_ppo_epochs(
            model.policy, model.optimizer, detached, cfg, ent, model.generator
        )
    )
    parts = dict(zip(PARTS, (t_roll, t_prep, t_e0, t_ppo), strict=True))
    parts["total"] = sum(parts.values())
    return parts


def measure_hpo(opts: HPOUpdateSpeedOptions, **overrides: Any) -> dict[str, float]:
    """Median seconds of each part of an HPO update, and of one dev evaluation."""
    hidden: dict[str, Any] = {
        "device": opts.device,
        "discrete_hidden": opts.hidden,
        "continuous_hidden": opts.hidden,
        "value_hidden": opts.hidden,
    }
    env = _env(opts)
    model = HPO(env, "jrp", seed=opts.seed, verbose=0, dev_split="", **hidden, **overrides)
    model.total_timesteps_target = 1600 * opts.batch * model.n_steps
    runs = [hpo_update_parts(model) for _ in range(opts.warmup + opts.updates)][opts.warmup :]
    result = {key: statistics.median(r[key] for r in runs) for key in (*PARTS, "total")}
    dev = HPO(env, "jrp", seed=opts.seed, verbose=0, **hidden)
    dev.evaluate_split("dev")  # warm-up (builds the 1024-scenario env)
    result["dev evaluation"] = statistics.median(
        _timed(lambda: dev.evaluate_split("dev"))[0] for _ in range(3)
    )
    return result


def measure_ppo(opts: HPOUpdateSpeedOptions) -> dict[str, float]:
    """Median seconds of a PPO rollout and update on the same env and batch."""
    env = RawActionWrapper(_env(opts), shift=1.0, scale_feature="mean_demand")
    model = PPO(
        env,
        "hpo-paper-jrp",
        seed=opts.seed,
        device=opts.device,
        verbose=0,
        policy_hidden=opts.hidden,
        value_hidden=opts.hidden,
    )
    times: dict[str, list[float]] = {"rollout": [], "update": []}
    for i in range(opts.warmup + opts.updates):
        t_roll, buffer = _timed(model.collect)
        t_upd, _ = _timed(lambda: model.update(buffer))  # noqa: B023
        if i >= opts.warmup:
            times["rollout"].append(t_roll)
            times["update"].append(t_upd)
    result = {key: statistics.median(v) for key, v in times.items()}
    result["total"] = result["rollout"] + result["update"]
    return result


def markdown(
    results: dict[str, dict[str, float]], opts: HPOUpdateSpeedOptions, env: dict[str, Any]
) -> str:
    """Setting, machine and the table of per-part times and projected run lengths."""
    lines = [
        f"JRP n = {opts.items}, B = {opts.batch}, T = {HORIZON}, hidden {list(opts.hidden)}; "
        f"seed {opts.seed}; medians of {opts.updates} updates after {opts.warmup} warm-up "
        "updates.",
        "",
        *environment_lines(env),
        "",
        "| algorithm | rollout | prepare | epoch 0 | PPO epochs | update total | dev evaluation "
        "| projected 1600 updates |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ppo_total = results[PPO_ROW]["total"]
    for name, r in results.items():
        if name == PPO_ROW:
            lines.append(
                f"| {name} | {r['rollout']:.3f} s | – | – | {r['update']:.3f} s (all epochs) "
                f"| {r['total']:.3f} s | – | {1600 * r['total'] / 60:.1f} min |"
            )
            continue
        projected = (1600 * r["total"] + 200 * r["dev evaluation"]) / 60
        lines.append(
            f"| {name} | {r['rollout']:.3f} s | {r['prepare']:.3f} s | {r['epoch 0']:.3f} s "
            f"| {r['PPO epochs']:.3f} s | {r['total']:.3f} s ({r['total'] / ppo_total:.2f}× PPO) "
            f"| {r['dev evaluation']:.3f} s | {projected:.1f} min |"
        )
    return "\n".join(lines) + "\n"


@register_suite(
    "hpo-update-speed",
    HPOUpdateSpeedOptions,
    "Seconds per HPO update on JRP, part by part, beside decentralized HPO and PPO",
)
def run(options: HPOUpdateSpeedOptions) -> int:
    """Time every row; writes ``hpo-update-speed.{json,md}`` under ``out_dir``."""
    opts = with_mode_defaults(options, MODE_DEFAULTS)
    torch.set_num_threads(opts.threads)
    torch.manual_seed(opts.seed)
    env = environment(opts.device)
    results = {
        "HPO": measure_hpo(opts, piece_norms_interval=0),
        "HPO, decentralized": measure_hpo(opts, piece_norms_interval=0, cross_term=False),
        "HPO + piece norms": measure_hpo(opts, piece_norms_interval=1),
        PPO_ROW: measure_ppo(opts),
    }
    env["load_average_end"] = load_average()
    out = Path(opts.out_dir)
    write_json(
        out / "hpo-update-speed.json",
        {
            "suite": "hpo-update-speed",
            "settings": asdict(opts),
            "setting": {
                "items": opts.items,
                "batch": opts.batch,
                "horizon": HORIZON,
                "hidden": list(opts.hidden),
            },
            "environment": env,
            "results": results,
        },
    )
    publish(markdown(results, opts, env), out / "hpo-update-speed.md", None, opts.docs_page)
    return 0

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
from hybrid_toolkit.bench.speed.flops import counted_flops, cpu_timed, mm_rate
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


Measure = Callable[[Callable[[], Any]], tuple[float, Any]]
"""Runs a piece of an update and returns ``(a number, the piece's result)``: its seconds
(:func:`_timed`) or its FLOPs (:func:`counted_flops`)."""


def hpo_update_parts(model: HPO, measure: Measure = _timed) -> dict[str, float]:
    """``measure`` of each part of one update (the pieces of ``HPO.update``), their ``total``,
    and ``ppo_steps``: the minibatch steps the early-stopped PPO epochs took."""
    cfg = model.config
    pieces = bool(cfg.piece_norms_interval)
    t_roll, traj = measure(model.collect)
    ent = model.entropy_coef(model.n_updates - 1)
    t_prep, data = measure(lambda: model._prepare(traj))
    t_e0, _ = measure(lambda: model._mixed_gradient_step(data, ent, pieces=pieces))
    detached = data.detached()
    t_ppo, metrics = measure(
        lambda: discrete_ppo_epochs(
            model.policy, model.optimizer, detached, cfg, ent, model.generator
        )
    )
    parts = dict(zip(PARTS, (t_roll, t_prep, t_e0, t_ppo), strict=True))
    parts["total"] = sum(parts.values())
    parts["ppo_steps"] = metrics["train/n_updates"] - 1.0
    return parts


def timed_update(model: HPO, opts: HPOUpdateSpeedOptions) -> dict[str, float]:
    """One update's parts in wall seconds, plus its ``cpu`` seconds and the ``mm_rate`` (FLOP/s
    of CPU time) of ``torch.mm`` timed just before it at the update's two matrix shapes — a
    rollout step's B rows and a PPO minibatch — the faster of the two."""
    width = max(opts.hidden)
    minibatch = opts.batch * model.n_steps // model.config.n_minibatches
    rate = max(mm_rate(rows, width, opts.device) for rows in (opts.batch, minibatch))
    cpu, parts = cpu_timed(lambda: hpo_update_parts(model))
    return {**parts, "cpu": cpu, "mm_rate": rate}


def matmul_floor(counted: dict[str, float], runs: list[dict[str, float]]) -> dict[str, float]:
    """The timed updates against the ``torch.mm`` floor (medians over ``runs``).

    ``counted`` holds one update's FLOPs part by part; the PPO epochs' FLOPs scale with the
    minibatch steps they took, so each timed update's FLOPs follow from its own step count.
    ``share`` is the floor ``FLOPs / mm_rate`` over the update's CPU time.
    """
    per_step = counted["PPO epochs"] / max(counted["ppo_steps"], 1.0)
    fixed = counted["total"] - counted["PPO epochs"]
    flops = [fixed + r["ppo_steps"] * per_step for r in runs]
    return {
        "gflop": statistics.median(flops) / 1e9,
        "mm_gflops": statistics.median(r["mm_rate"] for r in runs) / 1e9,
        "cpu_seconds": statistics.median(r["cpu"] for r in runs),
        "share": statistics.median(
            f / r["mm_rate"] / r["cpu"] for f, r in zip(flops, runs, strict=True)
        ),
    }


def measure_hpo(opts: HPOUpdateSpeedOptions, **overrides: Any) -> dict[str, float]:
    """Median seconds of each part of an HPO update, of one dev evaluation, and (the ``floor``
    keys) the update against the matrix-multiply floor."""
    hidden: dict[str, Any] = {
        "device": opts.device,
        "discrete_hidden": opts.hidden,
        "continuous_hidden": opts.hidden,
        "value_hidden": opts.hidden,
    }
    env = _env(opts)
    model = HPO(env, "jrp", seed=opts.seed, verbose=0, dev_split="", **hidden, **overrides)
    model.total_timesteps_target = 1600 * opts.batch * model.n_steps
    for _ in range(opts.warmup):
        hpo_update_parts(model)
    counted = hpo_update_parts(model, counted_flops)  # one more update, counted not timed
    runs = [timed_update(model, opts) for _ in range(opts.updates)]
    result = {key: statistics.median(r[key] for r in runs) for key in (*PARTS, "total")}
    result.update({f"floor {k}": v for k, v in matmul_floor(counted, runs).items()})
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
    return "\n".join([*lines, "", *floor_lines(results)]) + "\n"


def floor_lines(results: dict[str, dict[str, float]]) -> list[str]:
    """The table of every HPO row against the matrix-multiply floor, and the headline share."""
    lines = [
        "| algorithm | matrix-product GFLOP per update | update (CPU time) | torch.mm rate "
        "| floor (GFLOP / rate) | floor / update |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        if "floor share" not in r:
            continue
        floor = r["floor gflop"] / r["floor mm_gflops"]
        lines.append(
            f"| {name} | {r['floor gflop']:.1f} | {r['floor cpu_seconds']:.3f} s "
            f"| {r['floor mm_gflops']:.1f} GFLOP/s | {floor:.3f} s "
            f"| {100 * r['floor share']:.0f} % |"
        )
    share = results["HPO"]["floor share"]
    return [
        *lines,
        "",
        f"* One HPO update runs at {100 * share:.0f} % of this machine's matrix-multiply floor "
        "(its FLOPs at `torch.mm`'s rate, same thread count, same run; target ≥ 70 %).",
    ]


@register_suite(
    "hpo-update-speed",
    HPOUpdateSpeedOptions,
    "Seconds per HPO update on JRP, part by part, beside decentralized HPO and PPO, and its "
    "share of the matrix-multiply floor",
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

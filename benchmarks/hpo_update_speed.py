"""Seconds per HPO update on joint replenishment, with a breakdown, next to the PPO baseline.

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

Usage:
    python benchmarks/hpo_update_speed.py            # writes docs/benchmarks/hpo-update-speed.md
    python benchmarks/hpo_update_speed.py --quick    # small networks, prints only
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch
from hpo_envs_speed import machine, write  # the speed benchmarks' shared report helpers

from hybrid_toolkit.algorithms import HPO, PPO
from hybrid_toolkit.algorithms.hpo.steps import discrete_ppo_epochs
from hybrid_toolkit.bench.hpo_paper.raw_actions import RawActionWrapper
from hybrid_toolkit.envs import make

SEED = 0
ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "benchmarks" / "hpo-update-speed.md"
JSON_OUTPUT = ROOT / "benchmarks" / "results" / "hpo_update_speed.json"
PARTS = ("rollout", "prepare", "epoch 0", "PPO epochs")


def _env(batch: int, items: int):  # type: ignore[no-untyped-def]
    return make("JointReplenishment-v0", batch, n_items=items, validate_actions=False)


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def hpo_update_parts(model: HPO) -> dict[str, float]:
    """Seconds of each part of one update (the pieces of ``HPO.update``)."""
    cfg = model.config
    pieces = bool(cfg.piece_norms_interval)
    t_roll, traj = _timed(model.collect)
    ent = model.entropy_coef(model.n_updates - 1)
    t_prep, data = _timed(lambda: model._prepare(traj))  # type: ignore[arg-type]
    t_e0, _ = _timed(lambda: model._mixed_gradient_step(data, ent, pieces=pieces))  # type: ignore[arg-type]
    detached = data.detached()  # type: ignore[attr-defined]
    t_ppo, _ = _timed(
        lambda: discrete_ppo_epochs(
            model.policy, model.optimizer, detached, cfg, ent, model.generator
        )
    )
    parts = dict(zip(PARTS, (t_roll, t_prep, t_e0, t_ppo), strict=True))
    parts["total"] = sum(parts.values())
    return parts


def measure_hpo(
    hidden: tuple[int, ...], batch: int, items: int, updates: int, warmup: int, **overrides: object
) -> dict[str, float]:
    env = _env(batch, items)
    model = HPO(
        env,
        "jrp",
        seed=SEED,
        verbose=0,
        discrete_hidden=hidden,
        continuous_hidden=hidden,
        value_hidden=hidden,
        dev_split="",
        **overrides,  # type: ignore[arg-type]
    )
    model.total_timesteps_target = 1600 * batch * model.n_steps
    runs = [hpo_update_parts(model) for _ in range(warmup + updates)][warmup:]
    result = {key: statistics.median(r[key] for r in runs) for key in (*PARTS, "total")}
    dev = HPO(env, "jrp", seed=SEED, verbose=0, discrete_hidden=hidden,
              continuous_hidden=hidden, value_hidden=hidden)  # fmt: skip
    dev.evaluate_split("dev")  # warm-up (builds the 1024-scenario env)
    result["dev evaluation"] = statistics.median(
        _timed(lambda: dev.evaluate_split("dev"))[0] for _ in range(3)
    )
    return result


def measure_ppo(
    hidden: tuple[int, ...], batch: int, items: int, updates: int, warmup: int
) -> dict[str, float]:
    env = RawActionWrapper(_env(batch, items), shift=1.0, scale_feature="mean_demand")
    model = PPO(env, "hpo-paper-jrp", seed=SEED, verbose=0, policy_hidden=hidden,
                value_hidden=hidden)  # fmt: skip
    times = {"rollout": [], "update": []}  # type: dict[str, list[float]]
    for i in range(warmup + updates):
        t_roll, buffer = _timed(model.collect)
        t_upd, _ = _timed(lambda: model.update(buffer))  # type: ignore[arg-type]  # noqa: B023
        if i >= warmup:
            times["rollout"].append(t_roll)
            times["update"].append(t_upd)
    result = {key: statistics.median(v) for key, v in times.items()}
    result["total"] = result["rollout"] + result["update"]
    return result


def run(hidden: tuple[int, ...], batch: int, items: int, updates: int, warmup: int) -> dict:  # type: ignore[type-arg]
    load_before = os.getloadavg()[0]
    results = {
        "HPO": measure_hpo(hidden, batch, items, updates, warmup, piece_norms_interval=0),
        "HPO, decentralized": measure_hpo(
            hidden, batch, items, updates, warmup, piece_norms_interval=0, cross_term=False
        ),
        "HPO + piece norms": measure_hpo(
            hidden, batch, items, updates, warmup, piece_norms_interval=1
        ),
        "PPO (hpo-paper-jrp)": measure_ppo(hidden, batch, items, updates, warmup),
    }
    return {
        "setting": {"items": items, "batch": batch, "horizon": 100, "hidden": list(hidden)},
        "updates": updates,
        "warmup": warmup,
        "seed": SEED,
        "machine": machine(),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "results": results,
    }


def markdown(report: dict) -> str:  # type: ignore[type-arg]
    s = report["setting"]
    lines = [
        f"Machine: {report['machine']}.",
        f"JRP n = {s['items']}, B = {s['batch']}, T = {s['horizon']}, hidden {s['hidden']}; "
        f"seed {report['seed']}; medians of {report['updates']} updates after "
        f"{report['warmup']} warm-up updates; 1-minute load average "
        f"{report['load_before']:.1f} before and {report['load_after']:.1f} after (above 2: "
        "other jobs shared the 2 CPUs).",
        "",
        "| algorithm | rollout | prepare | epoch 0 | PPO epochs | update total | dev evaluation "
        "| projected 1600 updates |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ppo_total = report["results"]["PPO (hpo-paper-jrp)"]["total"]
    for name, r in report["results"].items():
        if name.startswith("PPO"):
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
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="[64, 64] networks, prints only")
    parser.add_argument("--updates", type=int, default=5, help="measured updates per setting")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured updates first")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument(
        "--hidden", type=int, nargs="+", default=[512, 512], help="hidden sizes of every network"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="markdown file to update")
    parser.add_argument("--json", type=Path, default=JSON_OUTPUT, help="JSON results file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    hidden = (64, 64) if args.quick else tuple(args.hidden)
    updates = 2 if args.quick else args.updates
    report = run(hidden, 128, 5, updates, 1 if args.quick else args.warmup)
    table = markdown(report)
    print(table)
    if not args.quick:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1))
        write(table, args.output)


if __name__ == "__main__":
    main()

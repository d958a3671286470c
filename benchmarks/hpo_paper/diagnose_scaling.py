"""Why HPO stalls on joint replenishment with many items: short diagnostic runs per size.

For each number of items n this trains HPO (the paper's ``jrp`` preset, the given hidden
sizes) for ``--updates`` updates of a ``--budget``-update schedule — the entropy anneal is the
one of a budget-length run, so the first updates match the budgeted grid's — and then measures
the greedy policy on the dev split:

* dev cost per period per item, split into the fixed ordering cost and holding + shortage;
* the fraction of periods with an order;
* the **own-inventory sensitivity** of the order quantities, the mean of ∂q_i/∂x_i over items
  and dev states (x_i item i's on-hand stock; an order-up-to rule has -1), and the summed
  sensitivity |∂q_i/∂x_j| to the other items' stock;
* the saturation of the continuous network's first tanh layer at initialisation (fraction of
  pre-activations with |z| > 2 on the dev split's first observations).

``--scaled-inputs`` adds an ablation that is not the paper's setting: the networks read the
observation with the per-instance constants (means, holding and shortage costs) dropped and the
two scalar features rescaled (m_t / 10, K / m_t divided by K / 10), so the input scale no longer
grows with n.

Usage:
    python benchmarks/hpo_paper/diagnose_scaling.py                  # n = 1, 5, 20; writes
    python benchmarks/hpo_paper/diagnose_scaling.py --items 20 --updates 400 --inputs scaled \\
        --no-write                                                    # the ablation, full length
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from hybrid_toolkit.algorithms import HPO
from hybrid_toolkit.algorithms.hpo import SplitEvaluator
from hybrid_toolkit.bench.hpo_paper.tasks import Task, task_env
from hybrid_toolkit.training import Callback, TrainingContext

ROOT = Path(__file__).resolve().parents[2]
OUT_JSON = ROOT / "benchmarks" / "hpo_paper" / "results" / "scaling_diagnosis.json"
OUT_MD = ROOT / "docs" / "benchmarks" / "hpo-paper" / "scaling_diagnosis.md"
WARMUP = 40
"""Greedy periods played on dev before the sensitivities and saturation are measured."""


class FeatureScale(nn.Module):
    """Multiply the network input by a fixed per-feature vector (the ablation's rescaling)."""

    weight: Tensor

    def __init__(self, weight: Tensor) -> None:
        super().__init__()
        self.register_buffer("weight", weight)

    def forward(self, x: Tensor) -> Tensor:
        return x * self.weight.to(x.dtype)


def input_scale(env: Any) -> Tensor:
    """The ablation's per-feature factors for a joint-replenishment observation."""
    layout = env.observation_layout
    scale = torch.ones(max(s.stop for s in layout.values()))
    for name in ("mean", "shortage", "holding"):
        scale[layout[name]] = 0.0
    scale[layout["mean_demand"]] = 0.1
    scale[layout["fixed_cost_ratio"]] = 10.0 / env.fixed_cost
    return scale


def greedy_dev_pass(model: HPO, env: Any) -> tuple[Any, Tensor, Tensor, Tensor]:
    """One greedy episode on every dev scenario.

    Returns:
        The dev env, the observations after ``WARMUP`` periods, the ``[S, T]`` costs and the
        ``[S, T]`` order indicators.
    """
    dev = SplitEvaluator(env, "dev").env
    obs = dev.reset()
    warm, costs, orders = obs, [], []
    with torch.no_grad():
        for t in range(dev.horizon):
            if t == WARMUP:
                warm = obs
            action = model.act(obs, deterministic=True)
            step = dev.step(action)
            costs.append(-step.reward)
            orders.append(action.discrete[:, 0].to(torch.float64))
            obs = step.obs
    return dev, warm, torch.stack(costs, dim=1), torch.stack(orders, dim=1)


def measure(model: HPO, env: Any) -> dict[str, float]:
    """Greedy dev cost decomposition and the quantity sensitivities (see module docstring)."""
    dev, obs, costs, orders = greedy_dev_pass(model, env)
    n = dev.n_items
    order_frac = float(orders[:, dev.config.ignore_periods :].mean())
    total = float(dev.reported_metric(costs))
    fixed = order_frac * dev.fixed_cost / n
    layout = dev.observation_layout
    feats = model.policy.features(obs).detach().requires_grad_(True)
    quantities = model.policy.continuous_action(feats)
    scale = feats[:, layout["mean_demand"].start].detach()
    own, other = [], []
    for i in range(n):
        (grad,) = torch.autograd.grad(quantities[:, i].sum(), feats, retain_graph=True)
        per_unit = grad[:, layout["on_hand"]] / scale[:, None]  # ∂q_i/∂x_j per unit of stock
        own.append(per_unit[:, i].mean())
        other.append((per_unit.abs().sum(dim=1) - per_unit[:, i].abs()).mean())
    return {
        "dev_cost": total,
        "order_fraction": order_frac,
        "fixed_per_item": fixed,
        "holding_shortage_per_item": total - fixed,
        "own_sensitivity": float(torch.stack(own).mean()),
        "other_sensitivity": float(torch.stack(other).mean()),
    }


def first_layer_saturation(model: HPO, env: Any) -> float:
    """Fraction of the continuous network's first pre-activations with |z| > 2 on the dev
    split's first observations (empty stock: only the instance constants and scalars vary)."""
    obs = SplitEvaluator(env, "dev").env.reset()
    net = model.policy.continuous_net
    assert net is not None
    with torch.no_grad():
        pre = model.policy.features(obs)
        for layer in net:
            pre = layer(pre)
            if isinstance(layer, nn.Linear):
                break
    return float((pre.abs() > 2).to(torch.float64).mean())


def diagnose(n: int, hidden: tuple[int, ...], updates: int, budget: int, scaled: bool) -> dict:
    """One diagnostic run (see the module docstring)."""
    env = task_env(Task("jrp", n), 128, "cpu")
    model = HPO(
        env,
        "jrp",
        seed=0,
        device="cpu",
        verbose=0,
        discrete_hidden=hidden,
        continuous_hidden=hidden,
        value_hidden=hidden,
        eval_interval=1_000_000,
        piece_norms_interval=0,
        restore_best_dev=False,
    )
    if scaled:
        weight = input_scale(env)
        for name in ("discrete_net", "continuous_net", "value_net"):
            net = getattr(model.policy, name)
            setattr(model.policy, name, nn.Sequential(FeatureScale(weight), *net))
    saturation = first_layer_saturation(model, env)
    start = time.perf_counter()
    model.learn(budget * 128 * env.horizon, callback=_StopAfter(updates))
    result = measure(model, env)
    result.update(
        n=n,
        inputs="scaled (ablation)" if scaled else "paper",
        init_saturation=saturation,
        updates=updates,
        wall_s=time.perf_counter() - start,
    )
    return result


class _StopAfter(Callback):
    """Stop training after ``updates`` updates (the schedule stays the budget's)."""

    def __init__(self, updates: int) -> None:
        self.updates = updates

    def on_iteration(self, ctx: TrainingContext) -> bool:
        return bool(ctx.iteration < self.updates)


def table(rows: list[dict]) -> str:
    """Markdown table of the diagnostic rows."""
    lines = [
        "| n | inputs | init. saturation | dev cost | order fraction | fixed / item "
        "| holding + shortage / item | ∂q_i/∂x_i | Σ_j≠i abs(∂q_i/∂x_j) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']} | {r['inputs']} | {r['init_saturation']:.0%} | {r['dev_cost']:.2f} "
            f"| {r['order_fraction']:.2f} | {r['fixed_per_item']:.1f} "
            f"| {r['holding_shortage_per_item']:.1f} | {r['own_sensitivity']:.3f} "
            f"| {r['other_sensitivity']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--hidden", type=int, nargs="+", default=[128, 128])
    parser.add_argument("--updates", type=int, default=96)
    parser.add_argument("--budget", type=int, default=400)
    parser.add_argument(
        "--inputs",
        nargs="+",
        choices=("paper", "scaled"),
        default=["paper", "scaled"],
        help="network inputs: the paper's observation and/or the rescaling ablation",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for n in args.items:
        for inputs in args.inputs:
            scaled = inputs == "scaled"
            rows.append(diagnose(n, tuple(args.hidden), args.updates, args.budget, scaled))
            print(json.dumps(rows[-1]), flush=True)
    text = table(rows)
    print(text)
    if not args.no_write:
        meta = {"hidden": args.hidden, "updates": args.updates, "budget": args.budget}
        OUT_JSON.write_text(json.dumps({"settings": meta, "rows": rows}, indent=1))
        OUT_MD.write_text(text)


if __name__ == "__main__":
    main()

"""``hybrid-toolkit bench hpo-scaling-diagnosis``: why HPO stalls on joint replenishment with
many items — short diagnostic runs per size.

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

``--inputs`` picks HPO's ``input_map`` for these runs: ``raw`` is the paper's observation,
``declared`` the input HPO builds by default from the env's declared observation features
(per-instance constants dropped, stock in units of mean demand, m_t and K / m_t divided by
their typical sizes).

Before the runs, the suite measures the first-layer saturation at initialisation alone for
``--saturation-items`` × ``--saturation-widths`` × both input maps
(:mod:`.saturation`: on the reset states and on states a near-optimal (s, S) rule visits).

Writes ``scaling_diagnosis.{json,md}`` and ``input_saturation.md`` under ``--out-dir``;
``--docs-dir docs/benchmarks/hpo-paper`` also writes the tables the hpo-paper page includes (the
committed ones: ``--mode full --out-dir benchmarks/hpo_paper/results --docs-dir
docs/benchmarks/hpo-paper``).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import torch
from torch import Tensor

from hybrid_toolkit.algorithms import HPO
from hybrid_toolkit.algorithms.hpo import SplitEvaluator
from hybrid_toolkit.algorithms.hpo.config import InputMapName
from hybrid_toolkit.bench.hpo_paper.saturation import (
    first_layer_saturation,
    saturation_rows,
    saturation_table,
)
from hybrid_toolkit.bench.hpo_paper.tasks import Task, task_env
from hybrid_toolkit.bench.registry import BY_MODE, BenchOptions, register_suite, with_mode_defaults
from hybrid_toolkit.bench.report import environment, environment_lines, publish, write_json
from hybrid_toolkit.training import Callback, TrainingContext

WARMUP = 40
"""Greedy periods played on dev before the sensitivities and saturation are measured."""
BATCH = 128
"""Scenarios per rollout (the budgeted hpo-paper grid's)."""
INPUT_LABELS: dict[str, str] = {"raw": "raw (paper)", "declared": "declared (default)"}

MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {
        "items": (1,),
        "hidden": (8,),
        "updates": 1,
        "budget": 4,
        "saturation_items": (1,),
        "saturation_widths": (8,),
    },
    "quick": {
        "items": (1, 5),
        "hidden": (64, 64),
        "updates": 16,
        "budget": 400,
        "saturation_items": (1, 5),
        "saturation_widths": (128, 512),
    },
    "full": {
        "items": (1, 5, 20),
        "hidden": (128, 128),
        "updates": 96,
        "budget": 400,
        "saturation_items": (1, 5, 20, 50),
        "saturation_widths": (128, 512),
    },
}
"""What every option left at 0 / empty means in each mode."""


@dataclass
class ScalingDiagnosisOptions(BenchOptions):
    """Settings of the HPO scaling diagnosis; 0 or empty: the mode's default."""

    items: Annotated[tuple[int, ...], BY_MODE] = ()
    """Numbers of items n; full 1, 5, 20; quick 1, 5."""
    hidden: Annotated[tuple[int, ...], BY_MODE] = ()
    """Hidden sizes of every network; full (128, 128), quick (64, 64)."""
    updates: Annotated[int, BY_MODE] = 0
    """Training updates before the measurement; full 96, quick 16."""
    budget: Annotated[int, BY_MODE] = 0
    """Length in updates of the schedule (entropy anneal) the updates are the start of; 400."""
    inputs: tuple[InputMapName, ...] = ("raw", "declared")
    """HPO's `input_map` of the runs: `raw` (the paper's observation) and/or `declared`."""
    saturation_items: Annotated[tuple[int, ...], BY_MODE] = ()
    """Numbers of items of the saturation-at-initialisation table; full 1, 5, 20, 50; quick 1, 5."""
    saturation_widths: Annotated[tuple[int, ...], BY_MODE] = ()
    """Hidden widths of the saturation table; quick and full 128 and 512 (the default)."""
    saturation_seeds: int = 3
    """Initialisation seeds the saturation table averages over."""
    docs_dir: str = ""
    """Also write `scaling_diagnosis.md` and `input_saturation.md` here (the hpo-paper page
    includes them); empty: no."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("items", "hidden", "saturation_items", "saturation_widths"):
            if any(v < 1 for v in getattr(self, name)):
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.updates < 0 or self.budget < 0:
            raise ValueError("updates and budget must be >= 1 (0: the mode's default)")
        if not self.inputs or any(i not in INPUT_LABELS for i in self.inputs):
            raise ValueError(f"inputs must be some of raw, declared, got {self.inputs}")
        if self.saturation_seeds < 1:
            raise ValueError(f"saturation_seeds must be >= 1, got {self.saturation_seeds}")


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


def diagnose(n: int, opts: ScalingDiagnosisOptions, input_map: InputMapName) -> dict[str, Any]:
    """One diagnostic run (see the module docstring)."""
    hidden, updates = opts.hidden, opts.updates
    env: Any = task_env(Task("jrp", n), BATCH, opts.device)
    model = HPO(
        env,
        "jrp",
        seed=0,
        device=opts.device,
        verbose=0,
        discrete_hidden=hidden,
        continuous_hidden=hidden,
        value_hidden=hidden,
        eval_interval=1_000_000,
        piece_norms_interval=0,
        restore_best_dev=False,
        input_map=input_map,
    )
    saturation = first_layer_saturation(model, SplitEvaluator(env, "dev").env.reset())
    start = time.perf_counter()
    model.learn(opts.budget * BATCH * env.horizon, callback=_StopAfter(updates))
    result: dict[str, Any] = dict(measure(model, env))
    result.update(
        n=n,
        inputs=INPUT_LABELS[input_map],
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


def table(rows: list[dict[str, Any]]) -> str:
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


@register_suite(
    "hpo-scaling-diagnosis",
    ScalingDiagnosisOptions,
    "Why HPO stalls on JRP with many items: dev cost split, stock sensitivities, saturation",
)
def run(options: ScalingDiagnosisOptions) -> int:
    """Diagnose every (n, inputs); writes ``scaling_diagnosis.{json,md}`` under ``out_dir``."""
    opts = with_mode_defaults(options, MODE_DEFAULTS)
    torch.set_num_threads(1)
    env = environment(opts.device)
    out = Path(opts.out_dir)
    saturation = saturation_rows(
        opts.saturation_items, opts.saturation_widths, opts.saturation_seeds, opts.device
    )
    saturation_text = saturation_table(saturation)
    publish(saturation_text, out / "input_saturation.md", None)
    rows = []
    for n in opts.items:
        for inputs in opts.inputs:
            rows.append(diagnose(n, opts, inputs))
            print(rows[-1], flush=True)
    settings = {"hidden": list(opts.hidden), "updates": opts.updates, "budget": opts.budget}
    write_json(
        out / "scaling_diagnosis.json",
        {
            "settings": settings,
            "options": asdict(opts),
            "environment": env,
            "rows": rows,
            "saturation": saturation,
        },
    )
    text = table(rows)
    publish(text, out / "scaling_diagnosis.md", None)
    print("\n".join(environment_lines(env)))
    if opts.docs_dir:
        (Path(opts.docs_dir) / "scaling_diagnosis.md").write_text(text)
        (Path(opts.docs_dir) / "input_saturation.md").write_text(saturation_text)
    return 0

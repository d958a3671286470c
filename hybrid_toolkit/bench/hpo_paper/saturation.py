"""How saturated HPO's first tanh layer is at initialisation, per input map, size and width.

A unit is *saturated* on an input when its pre-activation has ``|z| > 2`` (tanh' < 0.07: almost
no gradient passes). Two sets of inputs, both from the joint-replenishment dev split:

* **reset** — the dev scenarios' first observations (empty stock: only the per-instance
  constants and the two scalars are non-zero), the measurement of the issue that found the
  problem;
* **visited** — observations every 8 periods from period 16 on while a joint (s, S) rule plays
  (safety factor −1, cycle 3 periods of mean demand: near the tuned policy), i.e. the stock
  levels a good policy sees.

Reported for the continuous network (the discrete and value networks read the same input
through a layer of the same shape), averaged over initialisation seeds.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from hybrid_toolkit.algorithms import HPO
from hybrid_toolkit.algorithms.hpo import SplitEvaluator
from hybrid_toolkit.bench.hpo_paper.tasks import Task, task_env
from hybrid_toolkit.envs.families.inventory.policies import JointSSPolicy

THRESHOLD = 2.0
"""``|z|`` beyond which a tanh unit counts as saturated."""
SS_FACTORS = (-1.0, 3.0)
"""Safety factor and cycle length of the (s, S) rule whose states are measured."""


def dev_observations(n: int, device: str = "cpu") -> dict[str, Tensor]:
    """The ``reset`` and ``visited`` observation sets of JRP with ``n`` items (see above)."""
    env: Any = SplitEvaluator(task_env(Task("jrp", n), 128, device), "dev").env
    first = obs = env.reset()
    rule = JointSSPolicy.from_factors(env.instance, *SS_FACTORS)
    visited = []
    with torch.no_grad():
        for t in range(env.horizon):
            if t >= 16 and t % 8 == 0:
                visited.append(obs)
            obs = env.step(rule(env)).obs
    return {"reset": first, "visited": torch.cat(visited)}


def first_layer_saturation(model: HPO, obs: Tensor) -> float:
    """Fraction of the continuous network's first-layer pre-activations with ``|z| > 2`` over
    ``obs`` (every unit, every observation)."""
    net = model.policy.continuous_net
    assert net is not None
    first = net[0]  # type: ignore[index]
    with torch.no_grad():
        z = first(model.policy.network_input(model.policy.features(obs)))
    return float((z.abs() > THRESHOLD).to(torch.float64).mean())


def saturation_rows(
    items: tuple[int, ...], widths: tuple[int, ...], seeds: int, device: str = "cpu"
) -> list[dict[str, Any]]:
    """One row per (n, width, input map): saturation on the reset and visited sets."""
    rows = []
    for n in items:
        sets = dev_observations(n, device)
        env = task_env(Task("jrp", n), 128, device)
        for width in widths:
            for input_map in ("raw", "declared"):
                hidden = (width, width)
                measured = {name: 0.0 for name in sets}
                for seed in range(seeds):
                    model = HPO(
                        env,
                        seed=seed,
                        device=device,
                        verbose=0,
                        input_map=input_map,
                        discrete_hidden=hidden,
                        continuous_hidden=hidden,
                        value_hidden=hidden,
                        train_split="",
                        dev_split="",
                    )
                    for name, obs in sets.items():
                        measured[name] += first_layer_saturation(model, obs) / seeds
                rows.append({"n": n, "width": width, "input_map": input_map, **measured})
    return rows


def saturation_table(rows: list[dict[str, Any]]) -> str:
    """Markdown: one line per (n, width), raw and declared side by side."""
    lines = [
        "| n | width | raw: reset | raw: visited | declared: reset | declared: visited |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    cells: dict[tuple[int, int], dict[str, dict[str, Any]]] = {}
    for r in rows:
        cells.setdefault((r["n"], r["width"]), {})[r["input_map"]] = r
    for (n, width), by_map in cells.items():
        raw, declared = by_map["raw"], by_map["declared"]
        lines.append(
            f"| {n} | {width} | {raw['reset']:.1%} | {raw['visited']:.1%} "
            f"| {declared['reset']:.1%} | {declared['visited']:.1%} |"
        )
    return "\n".join(lines) + "\n"

"""The cross-term study (spec §12.3): how consistent are the pieces, near and far from a
discrete best response?

Protocol (the reference code's, scaled to a CPU budget):

1. train HPO on the homogeneous joint-replenishment instance;
2. perturb its continuous policy (``continuous_shift`` 1 → 3), freeze it, re-initialise the
   discrete network and warm the value network up on the new policy;
3. let the discrete network learn a best response to the frozen continuous policy; every
   ``measure_every`` updates ("shadow" steps, no parameter change) draw pairs of independent
   estimates ``g_a, g_b`` of the continuous gradient's pieces — pathwise, cross, and the full
   mixed gradient — each over a fresh batch of ``samples`` train scenarios, with the same
   surrogate the update uses (GAE advantages, normalisation, trimming);
4. alignment = cosine(g_a, g_b), signal = ⟨g_a, g_b⟩, noise = ½‖g_a − g_b‖², averaged over
   ``repeats`` pairs, bucketed by the optimality gap: dev cost − the best dev cost of the run.

A piece with a consistent direction has alignment near 1; a piece that is mostly noise has
alignment near 0.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from tqdm.auto import tqdm

from hybrid_toolkit.algorithms import HPO
from hybrid_toolkit.algorithms.hpo import TrainBatches, differentiable_rollout
from hybrid_toolkit.envs import make

PIECES = ("pathwise", "cross", "full")
ENV_ID = "JointReplenishmentHomogeneous-v0"


@dataclass(frozen=True)
class CrossTermSettings:
    """Size of the study.

    Attributes:
        n_items: Items of the homogeneous instance.
        hidden: Hidden sizes of every network.
        batch: Scenarios per training rollout.
        train_updates: Updates of the initial HPO training.
        shift: Perturbed ``continuous_shift``.
        warmup_updates: Value-only updates after the perturbation.
        discrete_updates: Best-response updates of the discrete network.
        measure_every: Updates between measurements.
        samples: Scenarios behind each gradient estimate (the spec's ``d``).
        repeats: Independent pairs per measurement.
        seed: Seed of the runs.
    """

    n_items: int = 1
    hidden: tuple[int, ...] = (64, 64)
    batch: int = 128
    train_updates: int = 160
    shift: float = 3.0
    warmup_updates: int = 16
    discrete_updates: int = 96
    measure_every: int = 8
    samples: int = 256
    repeats: int = 4
    seed: int = 0


@dataclass
class Measurement:
    """One shadow measurement: dev cost and the pieces' mean alignment / signal / noise."""

    updates: int
    dev_cost: float
    alignment: dict[str, float]
    signal: dict[str, float]
    noise: dict[str, float]
    gap: float = math.nan


@dataclass
class CrossTermResult:
    """The study's measurements, the trained model's dev cost and the settings."""

    base_dev_cost: float
    measurements: list[Measurement]
    settings: dict[str, object] = field(default_factory=dict)


def _model(settings: CrossTermSettings, device: str, **overrides: Any) -> HPO:
    env = make(ENV_ID, settings.batch, device, n_items=settings.n_items, validate_actions=False)
    h = settings.hidden
    return HPO(
        env,
        "jrp",
        seed=settings.seed,
        device=device,
        verbose=0,
        discrete_hidden=h,
        continuous_hidden=h,
        value_hidden=h,
        **overrides,
    )


def _set_lr(model: HPO, group: str, scale: float) -> None:
    for param_group in model.optimizer.param_groups:
        if param_group.get("name") == group:
            param_group["lr"] = model.config.learning_rate * scale


def _measure(model: HPO, batches: TrainBatches, repeats: int) -> dict[str, dict[str, float]]:
    def estimate() -> dict[str, Tensor]:
        traj = differentiable_rollout(
            model.policy,
            batches.env,
            batches.reset_env(),
            model.n_steps,
            generator=model.generator,
        )
        pieces = model.gradient_pieces(traj)
        return {"pathwise": pieces.pathwise, "cross": pieces.cross, "full": pieces.continuous}

    sums = {stat: dict.fromkeys(PIECES, 0.0) for stat in ("alignment", "signal", "noise")}
    for _ in range(repeats):
        a, b = estimate(), estimate()
        for piece in PIECES:
            ga, gb = a[piece], b[piece]
            cosine = torch.nn.functional.cosine_similarity(ga, gb, dim=0)
            sums["alignment"][piece] += float(cosine) / repeats
            sums["signal"][piece] += float(ga @ gb) / repeats
            sums["noise"][piece] += float(0.5 * (ga - gb).square().sum()) / repeats
    return sums


def run_cross_term_study(
    settings: CrossTermSettings,
    device: str = "cpu",
    progress: Callable[[str], None] | None = None,
) -> CrossTermResult:
    """Run the protocol of the module docstring; returns every measurement with its gap."""
    say = progress or (lambda _: None)
    base = _model(settings, device)
    horizon = base.n_steps
    say("cross-term study: training HPO")
    base.learn(settings.train_updates * settings.batch * horizon)
    study = _model(
        settings,
        device,
        continuous_shift=settings.shift,
        continuous_lr_scale=0.0,
        discrete_lr_scale=0.0,
        restore_best_dev=False,
        dev_split="",  # evaluated at each measurement instead
    )
    assert study.policy.continuous_net is not None and base.policy.continuous_net is not None
    study.policy.continuous_net.load_state_dict(base.policy.continuous_net.state_dict())
    study.policy.value_net.load_state_dict(base.policy.value_net.state_dict())
    total = settings.warmup_updates + settings.discrete_updates
    study.total_timesteps_target = total * settings.batch * horizon
    say("cross-term study: value warm-up")
    for _ in range(settings.warmup_updates):
        study.update(study.collect())
    _set_lr(study, "discrete", 1.0)
    probe = make(ENV_ID, settings.samples, device, n_items=settings.n_items)
    batches = TrainBatches(probe, "train", study.generator)
    measurements = []
    # The re-initialised discrete network starts exactly uniform, where the cross term is
    # exactly zero; the first measurement comes after `measure_every` updates.
    for step in range(1, settings.discrete_updates + 1):
        study.update(study.collect())
        if step % settings.measure_every == 0:
            say(f"cross-term study: measurement after {step} best-response updates")
            stats = _measure(study, batches, settings.repeats)
            dev = study.evaluate_split("dev")
            measurements.append(
                Measurement(step, dev, stats["alignment"], stats["signal"], stats["noise"])
            )
    best = min(m.dev_cost for m in measurements)
    for m in measurements:
        m.gap = m.dev_cost - best
    return CrossTermResult(base.best_dev_cost, measurements, settings.__dict__.copy())


def cross_term_cached(settings: CrossTermSettings, folder: Path, device: str) -> CrossTermResult:
    """The study for ``settings``: read from ``folder`` if it was run before, else run now."""
    width = "x".join(map(str, settings.hidden))
    key = (
        f"cross_term__n{settings.n_items}__h{width}__u{settings.train_updates}"
        f"__r{settings.discrete_updates}__d{settings.samples}x{settings.repeats}"
        f"__m{settings.measure_every}__s{settings.seed}"
    )
    path = folder / f"{key}.json"
    if path.exists():
        data = json.loads(path.read_text())
        data["measurements"] = [Measurement(**m) for m in data["measurements"]]
        return CrossTermResult(**data)
    result = run_cross_term_study(settings, device, progress=tqdm.write)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dataclasses.asdict(result), indent=1))
    return result


def bucket_rows(result: CrossTermResult, width: float) -> list[dict[str, float]]:
    """Measurements grouped by gap buckets ``[k·width, (k+1)·width)``: mean of each stat."""
    groups: dict[int, list[Measurement]] = {}
    for m in result.measurements:
        groups.setdefault(int(m.gap // width), []).append(m)
    rows = []
    for k in sorted(groups):
        members = groups[k]
        row: dict[str, float] = {"low": k * width, "high": (k + 1) * width, "count": len(members)}
        for stat in ("alignment", "noise"):
            for piece in PIECES:
                values = [getattr(m, stat)[piece] for m in members]
                row[f"{stat}_{piece}"] = sum(values) / len(values)
        rows.append(row)
    return rows

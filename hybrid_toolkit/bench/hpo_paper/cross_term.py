"""The cross-term study (spec §12.3): how consistent are the pieces, near and far from a
discrete best response?

Protocol (the reference code's, scaled to a CPU budget):

1. train HPO on the homogeneous joint-replenishment instance;
2. perturb its continuous policy (``continuous_shift`` 1 → 3), freeze it, re-initialise the
   discrete network and warm the value network up on the new policy;
3. let the discrete network learn a best response to the frozen continuous policy (the usual
   entropy anneal 0.5 → 0.001 over the study); at scheduled updates ("shadow" steps, no
   parameter change) draw pairs of independent estimates ``g_a, g_b`` of the continuous
   gradient's pieces — pathwise, cross, and the full mixed gradient — each over its own batch
   of ``samples`` train scenarios and its own discrete draws, with the surrogate the update uses
   (GAE advantages, normalisation, trimming) **without the entropy bonus**: the pieces are those
   of the cost's gradient (spec §3.2), so the bonus's gradient through the states is not
   counted as cross term;
4. alignment = cosine(g_a, g_b), signal = ⟨g_a, g_b⟩, noise = ½‖g_a − g_b‖², averaged over
   ``repeats`` pairs, bucketed by the optimality gap: the current cost (the sampled policy's
   reported cost on the measurement's own rollouts) − the best such cost of the same
   best-response run.

Deviations for the CPU budget: [64, 64] networks instead of [512, 512], a short initial training,
48 value warm-up updates instead of 80 epochs, one ``d`` per study instead of {256, 512, 1024},
tens of pairs per bucket instead of 100 repeats. On CPU the re-initialised discrete network gets
near its best response within about 10 updates, so a measurement follows **each** of the first
``early_updates`` updates (these give the large gaps) and every ``measure_every``-th after that;
``replicas`` independent best-response runs from the same trained model add measurements.

Reading the numbers at n = 1: the continuous network has one output that matters, and its
per-state Jacobians ``∂u(s)/∂θ_c`` nearly share one direction (``jacobian_share``, the top
singular direction's share of their energy, is ≈ 0.99). Every θ_c-gradient is then ≈ a scalar
times that direction, the cosine of a pair is ≈ ±1, and the alignment is ≈ 2·P(same sign) − 1:
1 for a piece with a consistent sign, 0 for one whose sign is a coin flip.
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
from hybrid_toolkit.algorithms.hpo.estimator import flat_grad
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
        early_updates: The first updates, each followed by a measurement.
        measure_every: Updates between measurements after ``early_updates``.
        samples: Scenarios behind each gradient estimate (the spec's ``d``).
        repeats: Independent pairs per measurement.
        replicas: Independent best-response runs (seeds ``seed``, ``seed + 1``, ...).
        seed: Seed of the runs.
    """

    n_items: int = 1
    hidden: tuple[int, ...] = (64, 64)
    batch: int = 128
    train_updates: int = 160
    shift: float = 3.0
    warmup_updates: int = 48
    discrete_updates: int = 96
    early_updates: int = 12
    measure_every: int = 12
    samples: int = 512
    repeats: int = 8
    replicas: int = 1
    seed: int = 0


@dataclass
class Measurement:
    """One shadow measurement: the current cost and the pieces' mean alignment / signal / noise.

    ``cost`` is the sampled policy's reported cost on the measurement's rollouts (the gap's
    "current loss"), ``dev_cost`` the greedy policy's on dev, ``entropy`` the discrete policy's
    mean entropy on those rollouts and ``ent_coef`` the entropy bonus of the update schedule.
    """

    updates: int
    dev_cost: float
    alignment: dict[str, float]
    signal: dict[str, float]
    noise: dict[str, float]
    gap: float = math.nan
    cost: float = math.nan
    entropy: float = math.nan
    ent_coef: float = math.nan
    replica: int = 0


@dataclass
class CrossTermResult:
    """The study's measurements, the trained model's dev cost and the settings.

    ``jacobian_share`` holds, per replica, the top singular direction's share of the
    per-state Jacobians of the continuous action (see the module docstring).
    """

    base_dev_cost: float
    measurements: list[Measurement]
    settings: dict[str, object] = field(default_factory=dict)
    jacobian_share: list[float] = field(default_factory=list)


def _model(settings: CrossTermSettings, device: str, seed: int = 0, **overrides: Any) -> HPO:
    env = make(ENV_ID, settings.batch, device, n_items=settings.n_items, validate_actions=False)
    h = settings.hidden
    return HPO(
        env,
        "jrp",
        seed=settings.seed + seed,
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


def measurement_updates(settings: CrossTermSettings) -> list[int]:
    """The best-response updates after which a measurement is taken."""
    return [
        step
        for step in range(1, settings.discrete_updates + 1)
        if step <= settings.early_updates or step % settings.measure_every == 0
    ]


@dataclass
class Estimate:
    """One gradient estimate: the pieces and what the rollout behind it saw."""

    pieces: dict[str, Tensor]
    cost: float
    entropy: float
    feats: Tensor


def estimate_pieces(model: HPO, batches: TrainBatches) -> Estimate:
    """One estimate of the continuous pieces on the next batch of ``batches`` (fresh scenarios,
    fresh discrete draws from the model's generator), without the entropy bonus."""
    traj = differentiable_rollout(
        model.policy, batches.env, batches.reset_env(), model.n_steps, generator=model.generator
    )
    pieces = model.gradient_pieces(traj, ent_coef=0.0)
    costs = -traj.rewards.detach().T  # [B, T]
    return Estimate(
        {"pathwise": pieces.pathwise, "cross": pieces.cross, "full": pieces.continuous},
        float(batches.env.reported_metric(costs)),
        float(traj.entropy.detach().mean()),
        traj.feats.detach().reshape(-1, traj.feats.shape[-1]),
    )


def _measure(model: HPO, batches: TrainBatches, repeats: int) -> tuple[dict[str, Any], Tensor]:
    stats: dict[str, Any] = {
        s: dict.fromkeys(PIECES, 0.0) for s in ("alignment", "signal", "noise")
    }
    cost = entropy = 0.0
    for _ in range(repeats):
        a, b = estimate_pieces(model, batches), estimate_pieces(model, batches)
        cost += (a.cost + b.cost) / (2 * repeats)
        entropy += (a.entropy + b.entropy) / (2 * repeats)
        for piece in PIECES:
            ga, gb = a.pieces[piece], b.pieces[piece]
            cosine = torch.nn.functional.cosine_similarity(ga, gb, dim=0)
            stats["alignment"][piece] += float(cosine) / repeats
            stats["signal"][piece] += float(ga @ gb) / repeats
            stats["noise"][piece] += float(0.5 * (ga - gb).square().sum()) / repeats
    return {**stats, "cost": cost, "entropy": entropy}, a.feats


def jacobian_share(model: HPO, feats: Tensor, states: int = 128) -> float:
    """Share of the top singular direction in ``∂u(s)/∂θ_c`` over ``states`` of ``feats``."""
    params = model.policy.parameter_groups()["continuous"]
    rows = []
    for row in feats[torch.linspace(0, feats.shape[0] - 1, states).long()]:
        action = model.policy.continuous_action(row[None])
        rows.append(torch.cat([g.flatten() for g in flat_grad(action.sum(), params, False)]))
    singular = torch.linalg.svdvals(torch.stack(rows))
    return float(singular[0].square() / singular.square().sum())


def _best_response_run(
    settings: CrossTermSettings, base: HPO, replica: int, device: str, say: Callable[[str], None]
) -> tuple[list[Measurement], float]:
    study = _model(
        settings,
        device,
        seed=replica,
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
    study.total_timesteps_target = total * settings.batch * study.n_steps
    say(f"cross-term study, replica {replica}: value warm-up")
    for _ in range(settings.warmup_updates):
        study.update(study.collect())
    _set_lr(study, "discrete", 1.0)
    probe = make(ENV_ID, settings.samples, device, n_items=settings.n_items)
    batches = TrainBatches(probe, "train", study.generator)
    schedule = set(measurement_updates(settings))
    measurements, feats = [], None
    # The re-initialised discrete network starts exactly uniform, where the cross term is
    # exactly zero; the first measurement comes after one update.
    for step in range(1, settings.discrete_updates + 1):
        study.update(study.collect())
        if step in schedule:
            say(f"cross-term study, replica {replica}: measurement after {step} updates")
            ent_coef = study.entropy_coef(study.n_updates - 1)  # the last update's bonus
            stats, feats = _measure(study, batches, settings.repeats)
            dev = study.evaluate_split("dev")
            measurements.append(
                Measurement(
                    step,
                    dev,
                    stats["alignment"],
                    stats["signal"],
                    stats["noise"],
                    cost=stats["cost"],
                    entropy=stats["entropy"],
                    ent_coef=ent_coef,
                    replica=replica,
                )
            )
    best = min(m.cost for m in measurements)
    for m in measurements:
        m.gap = m.cost - best
    share = jacobian_share(study, feats) if feats is not None else math.nan
    return measurements, share


def run_cross_term_study(
    settings: CrossTermSettings,
    device: str = "cpu",
    progress: Callable[[str], None] | None = None,
) -> CrossTermResult:
    """Run the protocol of the module docstring; returns every measurement with its gap."""
    say = progress or (lambda _: None)
    base = _model(settings, device)
    say("cross-term study: training HPO")
    base.learn(settings.train_updates * settings.batch * base.n_steps)
    measurements, shares = [], []
    for replica in range(settings.replicas):
        found, share = _best_response_run(settings, base, replica, device, say)
        measurements += found
        shares.append(share)
    return CrossTermResult(base.best_dev_cost, measurements, settings.__dict__.copy(), shares)


def cross_term_cached(settings: CrossTermSettings, folder: Path, device: str) -> CrossTermResult:
    """The study for ``settings``: read from ``folder`` if it was run before, else run now."""
    width = "x".join(map(str, settings.hidden))
    # v2: gap from the sampled cost, no entropy bonus in the pieces, early measurements.
    key = (
        f"cross_term_v2__n{settings.n_items}__h{width}__u{settings.train_updates}"
        f"__w{settings.warmup_updates}__r{settings.discrete_updates}"
        f"__d{settings.samples}x{settings.repeats}__e{settings.early_updates}"
        f"__m{settings.measure_every}__x{settings.replicas}__s{settings.seed}"
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

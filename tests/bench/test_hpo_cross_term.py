"""The HPO paper's cross-term study: independent estimates, the cost's pieces, the gap."""

from __future__ import annotations

import math
from typing import Any

import torch

from hybrid_toolkit.algorithms import HPO
from hybrid_toolkit.algorithms.hpo import Rollout, TrainBatches, differentiable_rollout
from hybrid_toolkit.bench.hpo_paper.cross_term import (
    ENV_ID,
    CrossTermSettings,
    _model,
    estimate_pieces,
    measurement_updates,
    run_cross_term_study,
)
from hybrid_toolkit.envs import make

TINY = CrossTermSettings(
    hidden=(8,),
    batch=16,
    train_updates=2,
    warmup_updates=1,
    discrete_updates=3,
    early_updates=2,
    measure_every=3,
    samples=16,
    repeats=1,
)


def _study_model(ent_coef: float = 0.001) -> tuple[HPO, TrainBatches]:
    # A non-uniform discrete network, so the pieces through the states are non-zero.
    model = _model(
        TINY, "cpu", init_discrete_uniform=False, ent_coef=ent_coef, min_ent_coef=ent_coef
    )
    noise = torch.Generator().manual_seed(2)
    with torch.no_grad():  # far from uniform: the entropy's gradient is zero at the uniform
        for p in model.policy.parameter_groups()["discrete"]:
            p.add_(torch.randn(p.shape, generator=noise))
    probe = make(ENV_ID, TINY.samples, "cpu", n_items=1)
    return model, TrainBatches(probe, "train", torch.Generator().manual_seed(1))


def test_the_two_estimates_of_a_pair_see_other_scenarios_and_other_draws() -> None:
    model, batches = _study_model()
    a, b = estimate_pieces(model, batches), estimate_pieces(model, batches)
    assert a.cost != b.cost
    for piece in ("pathwise", "cross", "full"):
        assert not torch.allclose(a.pieces[piece], b.pieces[piece])


def _replay(model: Any, env: Any) -> Rollout:
    """The rollout :func:`estimate_pieces` saw (same batch, same draws)."""
    model.generator.manual_seed(3)
    batches = TrainBatches(env, "train", torch.Generator().manual_seed(1))
    obs = batches.reset_env()
    return differentiable_rollout(model.policy, env, obs, model.n_steps, generator=model.generator)


def test_the_measured_pieces_are_the_costs_not_the_entropy_bonus() -> None:
    """The entropy bonus is a regulariser, not part of the cost's gradient; the study used to
    count its gradient through the states as cross term (a huge bonus makes it show here)."""
    model, batches = _study_model(ent_coef=1e4)
    model.generator.manual_seed(3)
    measured = estimate_pieces(model, batches)
    cost_only = model.gradient_pieces(_replay(model, batches.env), ent_coef=0.0)
    torch.testing.assert_close(measured.pieces["cross"], cost_only.cross)
    torch.testing.assert_close(measured.pieces["pathwise"], cost_only.pathwise)
    with_bonus = model.gradient_pieces(_replay(model, batches.env))
    assert not torch.allclose(with_bonus.cross, cost_only.cross, rtol=1e-3)
    torch.testing.assert_close(with_bonus.pathwise, cost_only.pathwise)


def test_every_early_update_is_measured_then_every_measure_every() -> None:
    settings = CrossTermSettings(discrete_updates=30, early_updates=5, measure_every=10)
    assert measurement_updates(settings) == [1, 2, 3, 4, 5, 10, 20, 30]


def test_the_gap_is_the_sampled_cost_above_the_best_of_its_own_run() -> None:
    result = run_cross_term_study(CrossTermSettings(**{**TINY.__dict__, "replicas": 2}))
    runs = {m.replica for m in result.measurements}
    assert runs == {0, 1}
    for replica in runs:
        own = [m for m in result.measurements if m.replica == replica]
        assert [m.updates for m in own] == [1, 2, 3]
        best = min(m.cost for m in own)
        assert [m.gap for m in own] == [m.cost - best for m in own]
        assert all(math.isfinite(m.dev_cost) and m.entropy > 0 for m in own)
    assert len(result.jacobian_share) == 2
    assert all(0 < share <= 1 + 1e-6 for share in result.jacobian_share)

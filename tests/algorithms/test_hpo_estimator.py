"""HPO's mixed gradient estimator against the exact gradient of a small problem.

The problem (:mod:`hybrid_toolkit.bench.hpo_paper.estimator_check`): three-item joint
replenishment in double precision with lead time 0, 3 periods and one fixed demand trace, so
the only randomness is the policy's (global) regime draws and the expected cost is computed
exactly by enumerating all ``2^3`` regime sequences. The regime odds move with the on-hand
stocks, so the cross term is as large as the whole continuous gradient.

Statistics: ``M`` independent estimates, each the mean over ``B`` scenarios. Their mean is
compared with the exact gradient coordinate by coordinate with a z-test at family-wise error
1e-3 (Bonferroni over all coordinates, valid whatever their correlation); the test also checks
that the standard errors are small against the gradient, so the tolerance means something.
"""

from __future__ import annotations

import pytest
import torch

from hybrid_toolkit.algorithms.hpo import enumerated_objective, estimate_gradient
from hybrid_toolkit.algorithms.hpo.estimator import flat_grad
from hybrid_toolkit.bench.hpo_paper.estimator_check import (
    HORIZON,
    bonferroni_z,
    exact_pieces,
    sample_estimates,
    small_policy,
    small_problem,
    z_scores,
)

ESTIMATES, BATCH = 64, 512


def test_enumerated_objective_gradient_matches_the_pieces() -> None:
    policy = small_policy()
    env, obs = small_problem(2**HORIZON)
    objective = enumerated_objective(policy, env, obs, HORIZON)
    params = [p for name in ("discrete", "continuous") for p in policy.parameter_groups()[name]]
    direct = torch.cat([g.flatten() for g in flat_grad(objective, params)])
    torch.testing.assert_close(exact_pieces(policy).full(), direct)


def test_enumeration_needs_one_scenario_per_sequence() -> None:
    env, obs = small_problem(5)
    with pytest.raises(ValueError, match="needs num_envs=8"):
        enumerated_objective(small_policy(), env, obs, HORIZON)


@pytest.mark.parametrize("baseline", [False, True], ids=["no_baseline", "value_baseline"])
def test_mixed_estimator_is_unbiased(baseline: bool) -> None:
    policy = small_policy()
    truth = exact_pieces(policy).full()
    samples = sample_estimates(policy, ESTIMATES, BATCH, cross_term=True, baseline=baseline)
    z, se = z_scores(samples, truth)
    assert float(se.norm()) < 0.05 * float(truth.norm())  # the test has power
    assert float(z.abs().max()) < bonferroni_z(truth.numel())


def test_decentralized_estimator_is_biased_by_exactly_the_cross_term() -> None:
    policy = small_policy()
    pieces = exact_pieces(policy)
    # The problem has a cross term that matters, in size and in direction.
    assert float(pieces.cross.norm()) > 0.5 * float(pieces.continuous.norm())
    cosine = torch.nn.functional.cosine_similarity(pieces.pathwise, pieces.continuous, dim=0)
    assert float(cosine) < 0.9
    samples = sample_estimates(policy, ESTIMATES, BATCH, cross_term=False)
    n_d = pieces.score_function.numel()
    # Unbiased for the pathwise expectation …
    z_pw, _ = z_scores(samples[:, n_d:], pieces.pathwise)
    assert float(z_pw.abs().max()) < bonferroni_z(pieces.pathwise.numel())
    # … so it misses the true continuous gradient by the cross term, detectably.
    z_true, _ = z_scores(samples[:, n_d:], pieces.continuous)
    assert float(z_true.abs().max()) > 2 * bonferroni_z(pieces.pathwise.numel())
    # The discrete block does not depend on the cross term.
    z_sf, _ = z_scores(samples[:, :n_d], pieces.score_function)
    assert float(z_sf.abs().max()) < bonferroni_z(n_d)


def test_decentralized_rollout_has_no_cross_piece() -> None:
    policy = small_policy()
    env, obs = small_problem(64)
    pieces = estimate_gradient(
        policy, env, obs, HORIZON, generator=torch.Generator().manual_seed(0), cross_term=False
    )
    assert float(pieces.cross.abs().max()) == 0.0
    assert float(pieces.pathwise.abs().max()) > 0.0

"""HPO's mixed gradient estimator against the exact gradient of a small problem.

The problem: one-item joint replenishment in double precision with lead time 0 (an order moves
the next state at once), 3 periods and one fixed demand trace, so the only randomness is the
policy's regime draws and the expected cost can be computed exactly by enumerating all
``2^3`` regime sequences. The discrete network is re-initialised so the regime probabilities depend
strongly on the on-hand stock: the cross term is about a quarter of the continuous gradient.

Statistics: ``M`` independent estimates, each the mean over ``B`` scenarios. Their mean is
compared with the exact gradient coordinate by coordinate with a z-test at family-wise error
1e-3 (Bonferroni over all coordinates, valid whatever their correlation); the test also checks
that the standard errors are small against the gradient, so the tolerance means something.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
import torch
from torch import Tensor, nn

from hybrid_toolkit.algorithms.hpo import (
    GradientPieces,
    HPOPolicy,
    enumerated_objective,
    enumerated_pieces,
    estimate_gradient,
)
from hybrid_toolkit.algorithms.hpo.estimator import flat_grad
from hybrid_toolkit.envs.families.inventory import JointReplenishmentConfig, JointReplenishmentEnv

HORIZON = 3
CONFIG = JointReplenishmentConfig(
    n_items=1,
    lead_time=0,
    horizon=HORIZON,
    ignore_periods=0,
    past_periods=1,
    fixed_cost_per_item=8.0,
    precision="float64",
)
DEMAND = torch.tensor([[[10.0], [7.0], [13.0], [9.0]]], dtype=torch.float64)  # [1, 1 + T, 1]
ESTIMATES, BATCH = 64, 512


def make_env(num_envs: int) -> tuple[JointReplenishmentEnv, Tensor]:
    env = JointReplenishmentEnv(CONFIG, num_envs=num_envs, validate_actions=False)
    env.set_scenarios(DEMAND)  # every row replays the one trace
    return env, env.reset()


def make_policy(seed: int = 0) -> HPOPolicy:
    torch.manual_seed(seed)
    env, _ = make_env(1)
    layout = env.observation_layout
    policy = HPOPolicy(
        env.obs_shape[0],
        env.action_space,
        discrete_hidden=(8,),
        continuous_hidden=(8,),
        value_hidden=(8,),
        continuous_shift=1.0,
        init_discrete_uniform=False,
        scale_index=layout["mean_demand"].start,
    ).double()
    # Regime odds that move a lot with the on-hand stock (and ignore the constant features,
    # which would saturate the tanh units): a large cross term.
    first, head = policy.discrete_net[0], policy.discrete_net[-1]
    assert isinstance(first, nn.Linear) and isinstance(head, nn.Linear)
    with torch.no_grad():
        first.weight.zero_()
        first.weight[:, layout["on_hand"].start].normal_(std=4.0)
        head.weight.normal_(std=1.0)
    return policy


def exact(policy: HPOPolicy) -> GradientPieces:
    env, obs = make_env(2**HORIZON)
    return enumerated_pieces(policy, env, obs, HORIZON)


def estimates(policy: HPOPolicy, *, cross_term: bool, baseline: bool = False) -> Tensor:
    env, _ = make_env(BATCH)
    generator = torch.Generator().manual_seed(123)
    rows = []
    for _ in range(ESTIMATES):
        pieces = estimate_gradient(
            policy,
            env,
            env.reset(),
            HORIZON,
            generator=generator,
            cross_term=cross_term,
            baseline=baseline,
        )
        rows.append(pieces.full() if cross_term else pieces.decentralized())
    return torch.stack(rows)


def z_scores(samples: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    mean = samples.mean(dim=0)
    se = samples.std(dim=0) / math.sqrt(samples.shape[0])
    return (mean - target) / se.clamp_min(1e-12), se


def bonferroni_z(n: int, alpha: float = 1e-3) -> float:
    return NormalDist().inv_cdf(1 - alpha / (2 * n))


def test_enumerated_objective_gradient_matches_the_pieces() -> None:
    policy = make_policy()
    env, obs = make_env(2**HORIZON)
    objective = enumerated_objective(policy, env, obs, HORIZON)
    params = [p for name in ("discrete", "continuous") for p in policy.parameter_groups()[name]]
    direct = torch.cat([g.flatten() for g in flat_grad(objective, params)])
    torch.testing.assert_close(exact(policy).full(), direct)


def test_enumeration_needs_one_scenario_per_sequence() -> None:
    env, obs = make_env(5)
    with pytest.raises(ValueError, match="needs num_envs=8"):
        enumerated_objective(make_policy(), env, obs, HORIZON)


@pytest.mark.parametrize("baseline", [False, True], ids=["no_baseline", "value_baseline"])
def test_mixed_estimator_is_unbiased(baseline: bool) -> None:
    policy = make_policy()
    truth = exact(policy).full()
    samples = estimates(policy, cross_term=True, baseline=baseline)
    z, se = z_scores(samples, truth)
    assert float(se.norm()) < 0.05 * float(truth.norm())  # the test has power
    assert float(z.abs().max()) < bonferroni_z(truth.numel())


def test_decentralized_estimator_is_biased_by_exactly_the_cross_term() -> None:
    policy = make_policy()
    pieces = exact(policy)
    # The problem has a cross term that matters: a quarter of the continuous gradient.
    assert float(pieces.cross.norm()) > 0.1 * float(pieces.continuous.norm())
    samples = estimates(policy, cross_term=False)
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


def test_cross_piece_is_zero_without_state_dependence() -> None:
    policy = make_policy()
    env, obs = make_env(64)
    pieces = estimate_gradient(
        policy, env, obs, HORIZON, generator=torch.Generator().manual_seed(0), cross_term=False
    )
    assert float(pieces.cross.abs().max()) == 0.0
    assert float(pieces.pathwise.abs().max()) > 0.0

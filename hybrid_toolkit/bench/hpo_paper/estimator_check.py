"""The estimator on a problem small enough for the exact gradient (the docs' measured numbers).

Three-item joint replenishment in double precision, lead time 0 (an order moves the next state
at once), 3 periods and one fixed demand trace: the only randomness is the (global) regime
draws, so the expected cost is a sum over the ``2^3`` regime sequences and its gradient is exact
(:func:`~hybrid_toolkit.algorithms.hpo.enumerated_pieces`). The discrete network is
initialised so the regime odds move with the on-hand stocks, which gives a cross term as large
as the whole continuous gradient and pointing elsewhere than the pathwise one. The
unbiasedness tests use the same problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import torch
from torch import Tensor, nn

from hybrid_toolkit.algorithms.hpo import (
    GradientPieces,
    HPOPolicy,
    enumerated_pieces,
    estimate_gradient,
)
from hybrid_toolkit.envs.families.inventory import JointReplenishmentConfig, JointReplenishmentEnv

HORIZON = 3
CONFIG = JointReplenishmentConfig(
    n_items=3,
    lead_time=0,
    horizon=HORIZON,
    ignore_periods=0,
    past_periods=1,
    fixed_cost_per_item=8.0,
    precision="float64",
)
# One trace [1, 1 + T, n]: a history period, then the demands of the three periods.
DEMAND = torch.tensor(
    [[[10.0, 8.0, 11.0], [7.0, 12.0, 9.0], [13.0, 9.0, 10.0], [9.0, 11.0, 8.0]]],
    dtype=torch.float64,
)


def small_problem(num_envs: int) -> tuple[JointReplenishmentEnv, Tensor]:
    """The env with ``num_envs`` copies of the one scenario, and its first observations."""
    env = JointReplenishmentEnv(CONFIG, num_envs=num_envs, validate_actions=False)
    env.set_scenarios(DEMAND)  # every row replays the one trace
    return env, env.reset()


def small_policy(seed: int = 0) -> HPOPolicy:
    """A tiny double-precision policy whose regime odds depend strongly on the on-hand stocks."""
    torch.manual_seed(seed)
    env, _ = small_problem(1)
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
    # Read only the on-hand stocks (the constant features would saturate the tanh units).
    first, head = policy.discrete_net[0], policy.discrete_net[-1]
    assert isinstance(first, nn.Linear) and isinstance(head, nn.Linear)
    with torch.no_grad():
        first.weight.zero_()
        first.weight[:, layout["on_hand"]].normal_(std=4.0)
        head.weight.normal_(std=1.0)
    return policy


def exact_pieces(policy: HPOPolicy) -> GradientPieces:
    """The exact expected pieces by enumeration of every regime sequence."""
    env, obs = small_problem(2**HORIZON)
    return enumerated_pieces(policy, env, obs, HORIZON)


def sample_estimates(
    policy: HPOPolicy, count: int, batch: int, *, cross_term: bool, baseline: bool = False
) -> Tensor:
    """``[count, P]`` independent estimates (full or decentralized), each a mean over ``batch``."""
    env, _ = small_problem(batch)
    generator = torch.Generator().manual_seed(123)
    rows = []
    for _ in range(count):
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
    """Per-coordinate ``(mean - target) / standard error`` and the standard errors."""
    mean = samples.mean(dim=0)
    se = samples.std(dim=0) / math.sqrt(samples.shape[0])
    return (mean - target) / se.clamp_min(1e-12), se


def bonferroni_z(n: int, alpha: float = 1e-3) -> float:
    """Two-sided z threshold for family-wise error ``alpha`` over ``n`` coordinates."""
    return NormalDist().inv_cdf(1 - alpha / (2 * n))


@dataclass(frozen=True)
class EstimatorCheck:
    """Measured properties of the estimators on the small problem.

    Attributes:
        parameters: Number of policy parameters (discrete + continuous).
        cross_share: ``‖E[cross]‖ / ‖∂J/∂θ_c‖``: the decentralized estimator's relative bias.
        pathwise_share: ``‖E[pathwise]‖ / ‖∂J/∂θ_c‖``.
        decentralized_cosine: Cosine between ``E[pathwise]`` (what the decentralized estimator
            estimates) and the true ``∂J/∂θ_c``.
        max_z_full: Largest |z| of the mixed estimator's mean against the exact gradient.
        max_z_decentralized: Largest |z| of the decentralized mean against the exact
            continuous gradient.
        z_threshold: The Bonferroni threshold at family-wise error 1e-3.
        relative_se: ``‖standard errors‖ / ‖∇J‖`` of the mixed estimator's mean.
        estimates: Number of independent estimates.
        batch: Scenarios per estimate.
    """

    parameters: int
    cross_share: float
    pathwise_share: float
    decentralized_cosine: float
    max_z_full: float
    max_z_decentralized: float
    z_threshold: float
    relative_se: float
    estimates: int
    batch: int


def check_estimator(estimates: int = 64, batch: int = 512) -> EstimatorCheck:
    """Measure unbiasedness of the mixed estimator and the bias of the decentralized one."""
    policy = small_policy()
    truth = exact_pieces(policy)
    full = sample_estimates(policy, estimates, batch, cross_term=True)
    z_full, se = z_scores(full, truth.full())
    decentralized = sample_estimates(policy, estimates, batch, cross_term=False)
    n_d = truth.score_function.numel()
    z_dec, _ = z_scores(decentralized[:, n_d:], truth.continuous)
    cosine = torch.nn.functional.cosine_similarity(truth.pathwise, truth.continuous, dim=0)
    return EstimatorCheck(
        parameters=truth.full().numel(),
        cross_share=float(truth.cross.norm() / truth.continuous.norm()),
        pathwise_share=float(truth.pathwise.norm() / truth.continuous.norm()),
        decentralized_cosine=float(cosine),
        max_z_full=float(z_full.abs().max()),
        max_z_decentralized=float(z_dec.abs().max()),
        z_threshold=bonferroni_z(truth.full().numel()),
        relative_se=float(se.norm() / truth.full().norm()),
        estimates=estimates,
        batch=batch,
    )

"""HPO's mixed gradient estimator as plain functions (spec §3), testable and analysable alone.

Hold the exogenous noise ξ and the discrete draws ``d_{0:T}`` fixed: the trajectory is then a
differentiable function of the parameters θ = (θ_d, θ_c), and

    ∇J = E[ Σ_t (G_t - b(s_t)) · D_θ log π_d(d_t | s_t(θ)) ]   score function (SF)
       + E[ ∇_θ Σ_t c_t | d_{0:T}, ξ fixed ]                  pathwise (PW)

with ``G_t = Σ_{t' ≥ t} c_{t'}`` the cost-to-go, ``b`` any state-dependent baseline and ``D_θ``
the **total** derivative. With separate networks it splits into three pieces:

* ``score_function``: the SF term's direct derivative, w.r.t. θ_d only;
* ``cross``: the SF term through the states, ``(∂ log π_d / ∂s_t)(ds_t/dθ_c)`` — how continuous
  actions move future discrete probabilities (θ_c only);
* ``pathwise``: the costs differentiated through the simulator (θ_c only).

Their sum is an unbiased estimate of ∇J (:func:`estimate_gradient`); dropping ``cross`` gives the
decentralized estimator. :func:`enumerated_objective` computes J exactly for small problems by
enumerating every discrete sequence, so ∇J can be checked against autograd. Gradients here are
of the **cost** (descend along them).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from hybrid_toolkit.algorithms.hpo.policy import HPOPolicy
from hybrid_toolkit.algorithms.hpo.rollout import differentiable_rollout
from hybrid_toolkit.envs import HybridEnv


def flat_grad(
    output: Tensor, params: Sequence[nn.Parameter], retain_graph: bool = True
) -> list[Tensor]:
    """``∂ output / ∂ p`` for every ``p`` in ``params`` (zeros where ``output`` does not depend)."""
    if not params:
        return []
    if not output.requires_grad:
        return [torch.zeros_like(p) for p in params]
    grads = torch.autograd.grad(output, list(params), retain_graph=retain_graph, allow_unused=True)
    return [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads, strict=True)]


def _cat(grads: Sequence[Tensor], like: Tensor) -> Tensor:
    return torch.cat([g.flatten() for g in grads]) if grads else like.new_zeros(0)


@dataclass
class GradientPieces:
    """The three pieces of the mixed gradient of the cost, as flat parameter vectors.

    Attributes:
        score_function: ``[P_d]`` direct SF gradient w.r.t. the discrete network.
        cross: ``[P_c]`` SF gradient through the states w.r.t. the continuous network.
        pathwise: ``[P_c]`` pathwise gradient w.r.t. the continuous network.
    """

    score_function: Tensor
    cross: Tensor
    pathwise: Tensor

    @property
    def continuous(self) -> Tensor:
        """``[P_c]`` the full mixed gradient of the continuous network: cross + pathwise."""
        return self.cross + self.pathwise

    def full(self) -> Tensor:
        """``[P_d + P_c]`` the HPO estimate: discrete block SF, continuous block cross + PW."""
        return torch.cat([self.score_function, self.continuous])

    def decentralized(self) -> Tensor:
        """``[P_d + P_c]`` the decentralized estimate (cross term dropped)."""
        return torch.cat([self.score_function, self.pathwise])

    def norms(self) -> dict[str, float]:
        """Euclidean norms of each piece and of the continuous block (one device sync)."""
        names = ("score_function", "cross", "pathwise", "continuous")
        pieces = (self.score_function, self.cross, self.pathwise, self.continuous)
        values = torch.stack([p.norm() for p in pieces]).tolist()
        return dict(zip(names, values, strict=True))


def gradient_pieces(
    policy: HPOPolicy,
    score_surrogate: Tensor,
    pathwise_surrogate: Tensor,
    retain_graph: bool = False,
) -> GradientPieces:
    """Differentiate the two surrogates separately into the three pieces.

    Args:
        policy: The policy that produced the trajectory.
        score_surrogate: Scalar whose total derivative is the SF term, e.g.
            ``Σ weights.detach() · log π`` (graph through the states for the cross term).
        pathwise_surrogate: Scalar cost surrogate with the simulator's graph, e.g. ``Σ c / B``.
        retain_graph: Keep the graph for further differentiation.
    """
    groups = policy.parameter_groups()
    discrete, continuous = groups["discrete"], groups["continuous"]
    both = flat_grad(score_surrogate, [*discrete, *continuous], retain_graph=True)
    pathwise = flat_grad(pathwise_surrogate, continuous, retain_graph=retain_graph)
    like = score_surrogate
    return GradientPieces(
        score_function=_cat(both[: len(discrete)], like),
        cross=_cat(both[len(discrete) :], like),
        pathwise=_cat(pathwise, like),
    )


def cost_to_go(costs: Tensor, dones: Tensor | None = None) -> Tensor:
    """Undiscounted cost-to-go ``G_t = Σ_{t' ≥ t} c_{t'}`` within each episode, ``[T, B]``.

    Args:
        costs: ``[T, B]`` costs (detached inside).
        dones: Optional bool ``[T, B]``; the sum stops at the end of each episode.
    """
    costs = costs.detach()
    out = torch.zeros_like(costs)
    running = torch.zeros_like(costs[0])
    for t in reversed(range(costs.shape[0])):  # a loop over time, batched over scenarios
        if dones is not None:
            running = torch.where(dones[t], 0.0, running)
        running = costs[t] + running
        out[t] = running
    return out


def estimate_gradient(
    policy: HPOPolicy,
    env: HybridEnv,
    obs: Tensor,
    n_steps: int,
    *,
    generator: torch.Generator | None = None,
    cross_term: bool = True,
    baseline: bool = False,
) -> GradientPieces:
    """One unbiased HPO estimate of ``∇_θ E[Σ_t c_t]`` from a batch of episodes.

    Runs :func:`differentiable_rollout` from ``obs`` (the first observations of fresh episodes)
    for ``n_steps`` steps and weights every log-probability by the undiscounted cost-to-go
    (minus ``V(s_t)`` when ``baseline``), so the pieces' sum is unbiased for the gradient of the
    expected total cost per scenario (the batch mean). No GAE, normalisation, trimming or
    clipping: those are the practical (biased) choices of the training loop.

    Args:
        policy: The policy.
        env: A differentiable env whose episodes start at ``obs``.
        obs: ``[B, *obs_shape]`` first observations.
        n_steps: Steps to simulate ``T`` (the expectation is of the cost of these steps).
        generator: Source of the discrete draws.
        cross_term: False differentiates the log-probabilities as the decentralized variant
            does (the returned ``cross`` piece is then zero).
        baseline: Subtract the value network's ``V(s_t)`` (unbiased for any baseline).
    """
    traj = differentiable_rollout(
        policy, env, obs.detach(), n_steps, generator=generator, cross_term=cross_term
    )
    weights = cost_to_go(traj.costs, traj.dones)
    if baseline:
        values = policy.value(traj.feats.reshape(-1, traj.feats.shape[-1]))
        weights = weights - values.detach().reshape(weights.shape).to(weights.dtype)
    batch = traj.costs.shape[1]
    score = (weights * traj.log_prob).sum() / batch
    return gradient_pieces(policy, score, traj.costs.sum() / batch)


def _enumerated_rollout(
    policy: HPOPolicy, env: HybridEnv, obs: Tensor, n_steps: int
) -> tuple[Tensor, Tensor]:
    """Probabilities ``P_θ(d)`` and total costs ``C_θ(d)`` of every discrete sequence ``[S]``."""
    choices = list(itertools.product(*[range(c.n) for c in policy.space.discrete]))
    sequences = list(itertools.product(range(len(choices)), repeat=n_steps))
    if env.num_envs != len(sequences):
        raise ValueError(
            f"enumerating {len(choices)} joint choices over {n_steps} steps needs num_envs="
            f"{len(sequences)} scenarios, got {env.num_envs}"
        )
    table = torch.tensor(choices, dtype=torch.int64)
    index = torch.tensor(sequences, dtype=torch.int64).T  # [T, S]
    traj = differentiable_rollout(policy, env, obs.detach(), n_steps, discrete=table[index])
    return traj.log_prob.sum(dim=0).exp(), traj.costs.sum(dim=0)


def enumerated_objective(policy: HPOPolicy, env: HybridEnv, obs: Tensor, n_steps: int) -> Tensor:
    """The exact expected cost ``J(θ) = Σ_d P_θ(d) C_θ(d)`` of a small problem, differentiable.

    Every discrete sequence ``d_{0:T}`` is played once: ``env`` must have
    ``num_envs = (Π_k n_k)^T`` scenarios (all components' choices, every step), all starting from
    the same state with the same exogenous noise (e.g. one fixed scenario replicated), and
    ``obs`` holds their first observations. ``P_θ(d) = Π_t π(d_t | s_t)`` is computed with the
    states' graph, so ``torch.autograd.grad(J, params)`` is the exact gradient, cross term
    included.

    Args:
        policy: The policy.
        env: The env, at the start of the episodes.
        obs: ``[num_envs, *obs_shape]`` first observations.
        n_steps: Horizon ``T``.
    """
    probability, cost = _enumerated_rollout(policy, env, obs, n_steps)
    return (probability * cost).sum()


def enumerated_pieces(
    policy: HPOPolicy, env: HybridEnv, obs: Tensor, n_steps: int
) -> GradientPieces:
    """The exact expectations of the three pieces, by enumeration (see
    :func:`enumerated_objective` for what ``env`` and ``obs`` must be).

    ``score_function`` is ``∂J/∂θ_d``; ``pathwise`` is ``Σ_d P(d) ∇_θc C(d)`` (probabilities held
    fixed); ``cross`` is the rest of ``∂J/∂θ_c``. So ``cross`` is exactly the bias of the
    decentralized estimator.
    """
    probability, cost = _enumerated_rollout(policy, env, obs, n_steps)
    objective = (probability * cost).sum()
    groups = policy.parameter_groups()
    discrete, continuous = groups["discrete"], groups["continuous"]
    total = flat_grad(objective, [*discrete, *continuous], retain_graph=True)
    pathwise = _cat(flat_grad((probability.detach() * cost).sum(), continuous), objective)
    continuous_total = _cat(total[len(discrete) :], objective)
    return GradientPieces(
        score_function=_cat(total[: len(discrete)], objective),
        cross=continuous_total - pathwise,
        pathwise=pathwise,
    )

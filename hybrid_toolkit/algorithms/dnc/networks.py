"""Actors and the Q-critic of the Q-actor-critic baselines (DNC, H-DNC, Cacla, Wolpertinger, VAC).

* `GaussianActor` — ``N(tanh(MLP(s)), σ²I)`` over the unit box with a fixed ``σ`` (the DNC
  reference actor; ``hidden=()`` is its linear actor);
* `HierarchicalActor` — H-DNC's parameter actor followed by a discrete actor conditioned on the
  sampled parameters;
* `CategoricalActor` — VAC's softmax over every action of an enumerated set;
* `QCritic` — ``Q(s, a)`` with a state encoder computed once per state and broadcast over any
  number of candidate actions (the reference critic's shape).

Every actor speaks the `ProtoActor` protocol: ``mean``, ``sample`` and ``log_prob`` of a
"proto" tensor — a unit-box proto-action, or for VAC the index of the chosen action.
"""

from __future__ import annotations

import math
from typing import Protocol

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from hybrid_toolkit.nn import activation_module, mlp, orthogonal_linear


def _standard_normal(
    shape: torch.Size, generator: torch.Generator | None, device: torch.device
) -> Tensor:
    gen_device = generator.device if generator is not None else torch.device("cpu")
    return torch.randn(shape, generator=generator, device=gen_device).to(device)


class ProtoActor(Protocol):
    """What the Q-actor-critic loop needs from an actor."""

    def mean(self, feats: Tensor) -> Tensor:
        """The deterministic proto ``[B, P]`` (mean proto-action, or the most likely index)."""
        ...

    def sample(self, feats: Tensor, generator: torch.Generator | None) -> Tensor:
        """A sampled proto ``[B, P]`` (no gradient)."""
        ...

    def log_prob(self, feats: Tensor, proto: Tensor) -> Tensor:
        """``log π(proto | s)`` ``[B]``, differentiable w.r.t. the actor's parameters."""
        ...

    def entropy(self, feats: Tensor) -> Tensor:
        """Entropy of ``π(· | s)`` ``[B]``."""
        ...


class GaussianActor(nn.Module):
    """``N(tanh(MLP(s)), σ²I)`` over the unit box, with a fixed ``σ``.

    The output layer starts near zero (orthogonal gain 0.01), so the initial mean is the centre
    of the box.

    Args:
        in_dim: Input features.
        out_dim: Proto-action dimension.
        hidden: Hidden sizes; ``()`` gives the reference's linear actor ``tanh(W s + b)``.
        activation: Hidden activation name.
        std: Exploration standard deviation ``σ`` (unit-box units).
    """

    def __init__(
        self, in_dim: int, out_dim: int, hidden: tuple[int, ...], activation: str, std: float
    ) -> None:
        super().__init__()
        self.net = mlp(in_dim, hidden, out_dim, activation=activation, output_gain=0.01)
        self.out_dim = out_dim
        self.std = float(std)

    def mean(self, feats: Tensor) -> Tensor:
        """``tanh(MLP(s))``: ``[B, out_dim]`` in ``(-1, 1)``."""
        return torch.tanh(self.net(feats))

    def sample(self, feats: Tensor, generator: torch.Generator | None) -> Tensor:
        """``μ(s) + σ·ε`` (may leave the unit box; the mapping clips it)."""
        mean = self.mean(feats).detach()
        return mean + self.std * _standard_normal(mean.shape, generator, mean.device)

    def log_prob(self, feats: Tensor, proto: Tensor) -> Tensor:
        """Gaussian log-density of ``proto`` summed over dimensions: ``[B]``."""
        z = (proto - self.mean(feats)) / self.std
        const = math.log(self.std) + 0.5 * math.log(2 * math.pi)
        return (-0.5 * z.square() - const).sum(dim=-1)

    def entropy(self, feats: Tensor) -> Tensor:
        """The (constant) Gaussian entropy ``[B]`` (only the batch size of ``feats`` is read)."""
        per_dim = 0.5 + 0.5 * math.log(2 * math.pi) + math.log(self.std)
        return feats.new_full((feats.shape[0],), per_dim * self.out_dim)


class HierarchicalActor(nn.Module):
    """H-DNC's two actors: parameters first, then discrete proto-actions conditioned on them.

    The parameter actor reads the state; the discrete actor reads the state and the sampled
    parameters (clipped to the unit box). Protos are ``[discrete part, parameters]``, the layout
    of `RelaxedCoordinates`.

    Args:
        in_dim: Input features.
        n_discrete: Discrete proto-action size.
        n_continuous: Parameter size.
        hidden: Hidden sizes of both actors.
        activation: Hidden activation name.
        std: Exploration standard deviation of both actors.
    """

    def __init__(
        self,
        in_dim: int,
        n_discrete: int,
        n_continuous: int,
        hidden: tuple[int, ...],
        activation: str,
        std: float,
    ) -> None:
        super().__init__()
        self.n_discrete = n_discrete
        self.parameter_actor = GaussianActor(in_dim, n_continuous, hidden, activation, std)
        self.discrete_actor = GaussianActor(
            in_dim + n_continuous, n_discrete, hidden, activation, std
        )

    def _condition(self, feats: Tensor, params: Tensor) -> Tensor:
        return torch.cat([feats, params.clamp(-1.0, 1.0)], dim=-1)

    def mean(self, feats: Tensor) -> Tensor:
        """Mean parameters, then the discrete actor's mean given them."""
        params = self.parameter_actor.mean(feats)
        return torch.cat([self.discrete_actor.mean(self._condition(feats, params)), params], -1)

    def sample(self, feats: Tensor, generator: torch.Generator | None) -> Tensor:
        """Sample the parameters, then discrete proto-actions conditioned on the sample."""
        params = self.parameter_actor.sample(feats, generator)
        discrete = self.discrete_actor.sample(self._condition(feats, params), generator)
        return torch.cat([discrete, params], dim=-1)

    def log_prob(self, feats: Tensor, proto: Tensor) -> Tensor:
        """``log π_c(â_c | s) + log π_d(â_d | s, â_c)``: ``[B]``."""
        discrete, params = proto[..., : self.n_discrete], proto[..., self.n_discrete :]
        conditioned = self._condition(feats, params)
        return self.parameter_actor.log_prob(feats, params) + self.discrete_actor.log_prob(
            conditioned, discrete
        )

    def entropy(self, feats: Tensor) -> Tensor:
        """The (constant) entropy of both Gaussians ``[B]``."""
        return self.parameter_actor.entropy(feats) + self.discrete_actor.entropy(feats)


class CategoricalActor(nn.Module):
    """VAC's policy: a softmax over ``n_actions`` enumerated actions.

    The proto is the chosen action's index, stored as a float ``[B, 1]`` (exact below 2^24,
    far above any enumerable space).

    Args:
        in_dim: Input features.
        n_actions: Number of actions.
        hidden: Hidden sizes; ``()`` is the reference's linear softmax policy.
        activation: Hidden activation name.
    """

    def __init__(
        self, in_dim: int, n_actions: int, hidden: tuple[int, ...], activation: str
    ) -> None:
        super().__init__()
        self.net = mlp(in_dim, hidden, n_actions, activation=activation, output_gain=0.01)

    def _log_probs(self, feats: Tensor) -> Tensor:
        return torch.log_softmax(self.net(feats), dim=-1)

    def mean(self, feats: Tensor) -> Tensor:
        """The most likely action's index ``[B, 1]``."""
        return self.net(feats).argmax(dim=-1, keepdim=True).float()

    def sample(self, feats: Tensor, generator: torch.Generator | None) -> Tensor:
        """A sampled index ``[B, 1]``, by Gumbel-max on the generator's device."""
        logits = self.net(feats).detach()
        gen_device = generator.device if generator is not None else torch.device("cpu")
        uniform = torch.rand(logits.shape, generator=generator, device=gen_device)
        gumbel = -torch.log(-torch.log(uniform.to(logits.device).clamp(min=1e-20)))
        return (logits + gumbel).argmax(dim=-1, keepdim=True).float()

    def log_prob(self, feats: Tensor, proto: Tensor) -> Tensor:
        """``log π(index | s)``: ``[B]``."""
        return self._log_probs(feats).gather(1, proto.long()).squeeze(1)

    def entropy(self, feats: Tensor) -> Tensor:
        """Entropy of the softmax ``[B]``."""
        log_p = self._log_probs(feats)
        return -(log_p.exp() * log_p).sum(dim=-1)


class QCritic(nn.Module):
    """``Q(s, a)``: a state encoder, then an MLP on ``[encoding, action]`` (DNC's critic shape).

    Splitting the state encoder off lets a search score ``M`` candidate actions per state with
    one encoder pass per state instead of ``M``. ``hidden = (32, 32)`` is the reference critic
    ``φ(s) → Linear(32) → ReLU → [·, a] → Linear(32) → ReLU → Linear(1)``.

    Args:
        obs_dim: Input features.
        action_dim: Action input size (unit-box coordinates).
        hidden: ``(encoder width, *head widths)``; at least one entry.
        activation: Hidden activation name.
    """

    def __init__(
        self, obs_dim: int, action_dim: int, hidden: tuple[int, ...], activation: str
    ) -> None:
        super().__init__()
        if not hidden:
            raise ValueError("QCritic hidden must name at least the encoder width, got ()")
        width, *head = hidden
        self.encoder = nn.Sequential(
            orthogonal_linear(obs_dim, width, math.sqrt(2)), activation_module(activation)
        )
        self.head = mlp(width + action_dim, head, 1, activation=activation, output_gain=1.0)

    def encode(self, feats: Tensor) -> Tensor:
        """State encodings ``[B, width]``."""
        return self.encoder(feats)

    def _first_layer(self, encoding: Tensor, actions: Tensor) -> Tensor:
        """The head's first layer on ``[encoding, action]``, without repeating the encoding.

        ``W [e; a] + b = (W_e e + b) + W_a a``: the state part is computed once per state and
        broadcast over the candidates, so ``M`` candidates cost an ``M × D`` product instead
        of ``M × (width + D)``.
        """
        first = self.head[0]
        assert isinstance(first, nn.Linear)
        width = encoding.shape[-1]
        state_part = F.linear(encoding, first.weight[:, :width], first.bias)
        action_part = F.linear(actions, first.weight[:, width:])
        if actions.dim() == 3:
            state_part = state_part[:, None, :]
        return state_part + action_part

    def score(self, encoding: Tensor, actions: Tensor) -> Tensor:
        """Values of ``M`` candidates per state: encodings ``[B, W]``, actions ``[B, M, D]``."""
        return self.head[1:](self._first_layer(encoding, actions)).squeeze(-1)

    def forward(self, feats: Tensor, actions: Tensor) -> Tensor:
        """``Q(s, a)`` ``[B]`` for features ``[B, obs_dim]`` and actions ``[B, D]``."""
        return self.head[1:](self._first_layer(self.encode(feats), actions)).squeeze(-1)

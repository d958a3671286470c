"""HPO's policy: separate discrete, continuous and value networks (spec §2).

* The **discrete network** gives one categorical per discrete component (in the paper a single
  global regime); training samples it, evaluation takes the argmax. A sampled index is a
  constant for the simulator: no relaxation, no gradient.
* The **continuous network** is deterministic (no exploration noise). It emits one raw value per
  continuous parameter of the action space — for a regime + parameters space that is one value
  per (item, regime), the paper's layout — plus a constant ``continuous_shift``, and each raw
  value is mapped into its parameter's interval (:class:`BoxMap`).
* The **value network** reads detached features, so the critic never pushes gradients into the
  simulator.

All three read the network input :class:`.input_map.InputMap` makes of the flat observation
(the conditioned input the env's declared features give, or the observation itself). The
stored *features* stay the flat observation, so ``scale_index`` always points into it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from hybrid_toolkit.algorithms.hpo.input_map import InputMap
from hybrid_toolkit.nn import HybridDistribution, mlp
from hybrid_toolkit.spaces import HybridAction, HybridSpace


class BoxMap(nn.Module):
    """Map unconstrained outputs into per-parameter intervals, differentiably (spec §7.1).

    ``[a, b]`` → ``a + (b - a)·sigmoid(r)``; ``[a, ∞)`` → ``a + s·softplus(r)``;
    ``(-∞, b]`` → ``b - s·softplus(r)``; ``(-∞, ∞)`` → ``r`` (identity: switched-LQR controls),
    where ``s`` is an optional per-row scale (the joint-replenishment mean demand). These are the
    maps :class:`~hybrid_toolkit.spaces.cell.Cell` applies to one regime's cell,
    vectorised over every parameter of a box at once. The kind of every parameter is found once
    here, so calls need no device sync.

    Args:
        low: ``[n]`` lower bounds (``-inf`` allowed).
        high: ``[n]`` upper bounds (``inf`` allowed).
    """

    low: Tensor
    high: Tensor
    span: Tensor
    _masks: Tensor

    def __init__(self, low: Tensor, high: Tensor) -> None:
        super().__init__()
        lo_finite, hi_finite = torch.isfinite(low), torch.isfinite(high)
        if bool((lo_finite & hi_finite).all()):
            self.kind = "bounded"
        elif bool(lo_finite.all()) and not bool(hi_finite.any()):
            self.kind = "lower"
        elif not bool(lo_finite.any()) and not bool(hi_finite.any()):
            self.kind = "free"
        else:
            self.kind = "mixed"
        self.register_buffer("low", torch.where(lo_finite, low, 0.0), persistent=False)
        self.register_buffer("high", torch.where(hi_finite, high, 0.0), persistent=False)
        self.register_buffer("span", self.high - self.low, persistent=False)
        self.register_buffer("_masks", torch.stack([lo_finite, hi_finite]), persistent=False)

    def forward(self, raw: Tensor, scale: Tensor | None = None) -> Tensor:
        """``[B, n]`` parameters inside the box for raw outputs ``[B, n]`` (graph kept).

        Args:
            raw: Unconstrained outputs.
            scale: Optional ``[B, 1]`` factor on the softplus of half-open intervals.
        """
        if self.kind == "free":
            return raw
        if self.kind == "bounded":
            return self.low + self.span * torch.sigmoid(raw)
        soft = F.softplus(raw)
        if scale is not None:
            soft = soft * scale
        if self.kind == "lower":
            return self.low + soft
        lo_finite, hi_finite = self._masks[0], self._masks[1]
        bounded = self.low + self.span * torch.sigmoid(raw)
        half_open = torch.where(lo_finite, self.low + soft, self.high - soft)
        one_sided = torch.where(lo_finite | hi_finite, half_open, raw)
        return torch.where(lo_finite & hi_finite, bounded, one_sided)


class HPOPolicy(nn.Module):
    """Separate discrete, continuous and value MLPs over flattened observations.

    Args:
        obs_dim: Flattened observation size.
        space: The action space: at least one discrete component; continuous parameters with
            any bounds (none is fine: the policy is then a pure score-function one).
        discrete_hidden: Hidden sizes of the discrete network.
        continuous_hidden: Hidden sizes of the continuous network.
        value_hidden: Hidden sizes of the value network.
        activation: Hidden activation name.
        continuous_shift: Constant added to raw continuous outputs.
        init_discrete_uniform: Zero the discrete output layer (exactly uniform first policy).
        scale_index: Observation entry that multiplies half-open quantities (the JRP's
            mean-demand estimate), or ``None``.
        input_map: Observation → network input (default: the identity).

    Raises:
        ValueError: If the space has no discrete component.
    """

    def __init__(
        self,
        obs_dim: int,
        space: HybridSpace,
        discrete_hidden: tuple[int, ...] = (64, 64),
        continuous_hidden: tuple[int, ...] = (64, 64),
        value_hidden: tuple[int, ...] = (64, 64),
        activation: str = "tanh",
        continuous_shift: float = 0.0,
        init_discrete_uniform: bool = True,
        scale_index: int | None = None,
        input_map: InputMap | None = None,
    ) -> None:
        super().__init__()
        if space.n_discrete < 1:
            raise ValueError(
                "HPO needs an action space with at least one discrete component (the regime); "
                f"got {space!r} — for purely continuous actions use a pathwise method"
            )
        if scale_index is not None and not 0 <= scale_index < obs_dim:
            raise ValueError(f"scale_index must be in [0, {obs_dim}), got {scale_index}")
        self.space = space
        self.discrete_space = HybridSpace(space.discrete)
        self.continuous_shift = float(continuous_shift)
        self.scale_index = scale_index
        self.input_map = input_map if input_map is not None else InputMap(obs_dim)
        if self.input_map.obs_dim != obs_dim:
            raise ValueError(
                f"input_map reads {self.input_map.obs_dim} observation entries, got "
                f"obs_dim={obs_dim}"
            )
        in_dim = self.input_map.out_dim
        n_logits = int(space.nvec.sum())
        self.discrete_net = mlp(in_dim, discrete_hidden, n_logits, activation, output_gain=0.01)
        if init_discrete_uniform:
            head = self.discrete_net[-1]
            assert isinstance(head, nn.Linear)
            nn.init.zeros_(head.weight)
            nn.init.zeros_(head.bias)
        self.continuous_net: nn.Module | None = None
        if space.n_continuous:
            self.continuous_net = mlp(
                in_dim, continuous_hidden, space.n_continuous, activation, output_gain=0.01
            )
        self.value_net = mlp(in_dim, value_hidden, 1, activation, output_gain=1.0)
        self.box_map = BoxMap(space.low, space.high)

    @property
    def dtype(self) -> torch.dtype:
        """Floating dtype of the networks' parameters."""
        return next(self.value_net.parameters()).dtype

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        """The parameters of each network: ``discrete``, ``continuous`` and ``value``."""
        continuous = list(self.continuous_net.parameters()) if self.continuous_net else []
        return {
            "discrete": list(self.discrete_net.parameters()),
            "continuous": continuous,
            "value": list(self.value_net.parameters()),
        }

    def features(self, obs: Tensor) -> Tensor:
        """Flatten ``[B, *obs_shape]`` to ``[B, obs_dim]`` in the networks' dtype (graph kept)."""
        return obs.reshape(obs.shape[0], -1).to(self.dtype)

    def network_input(self, feats: Tensor) -> Tensor:
        """What the networks read for features ``[N, obs_dim]`` (graph kept)."""
        return self.input_map(feats)

    def discrete_distribution(self, feats: Tensor) -> HybridDistribution:
        """The categorical part: a :class:`HybridDistribution` over the discrete components."""
        logits = self.discrete_net(self.input_map(feats))
        empty = feats.new_zeros(feats.shape[0], 0)
        return HybridDistribution(self.discrete_space, logits, empty, feats.new_zeros(0))

    def continuous_action(self, feats: Tensor) -> Tensor:
        """``[B, n_continuous]`` deterministic parameters inside the action box (graph kept)."""
        if self.continuous_net is None:
            return feats.new_zeros(feats.shape[0], 0)
        raw = self.continuous_net(self.input_map(feats)) + self.continuous_shift
        scale = None
        if self.scale_index is not None:
            # The mean-demand estimate depends on exogenous demand only: no gradient to keep.
            scale = feats[:, self.scale_index : self.scale_index + 1].detach()
        return self.box_map(raw, scale)

    def value(self, feats: Tensor) -> Tensor:
        """``[N]`` state values of features ``[N, obs_dim]`` (read detached)."""
        return self.value_net(self.input_map(feats.detach())).squeeze(-1)

    @torch.no_grad()
    def act(
        self, obs: Tensor, deterministic: bool = True, generator: torch.Generator | None = None
    ) -> HybridAction:
        """Greedy (argmax regime) or sampled actions for observations ``[B, *obs_shape]``."""
        feats = self.features(obs)
        dist = self.discrete_distribution(feats)
        choice = dist.mode() if deterministic else dist.sample(generator)
        return HybridAction(choice.discrete, self.continuous_action(feats))

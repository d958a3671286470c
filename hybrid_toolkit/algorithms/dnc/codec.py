"""`ActionCodec`: unit-box proto-actions to valid actions, and actions to critic inputs.

Every proto-action baseline (DNC, H-DNC, Cacla, Wolpertinger) lets an actor emit a point of
``[-1, 1]^D``, ``D = n_discrete + n_continuous``: the relaxed coordinates of the space
(`RelaxedCoordinates`: each discrete component's position, then the parameters) scaled affinely
per dimension to the unit box. The critic reads actions in the same unit box, so proto-actions,
search candidates and executed actions all live in one coordinate system.
"""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.common.finite import require_finite_proto
from hybrid_toolkit.spaces import HybridAction, HybridSpace, RelaxedCoordinates


class ActionCodec:
    """Maps between the actor's unit box, valid actions and the critic's action input.

    Continuous parameters that are inactive for the chosen discrete values are set to 0 in the
    critic input, so the critic never learns from values the environment ignores.

    Args:
        space: The action space.
        device: Device of the lookup tables.

    Attributes:
        sizes: ``int64 [n_discrete]`` number of choices of each discrete component.
        dim: ``D = n_discrete + n_continuous``.
    """

    def __init__(self, space: HybridSpace, device: torch.device | str) -> None:
        self.space = space
        self.relaxed = RelaxedCoordinates(space, device=device)
        self.sizes = self.relaxed.sizes
        self.n_discrete = space.n_discrete
        self.n_continuous = space.n_continuous
        self.dim = self.relaxed.dim
        self._governed = bool(space.activation)
        if space.n_continuous and not bool(
            torch.isfinite(space.low).all() and torch.isfinite(space.high).all()
        ):
            raise ValueError(
                "proto-action algorithms need finite bounds on every continuous parameter to map "
                f"the unit box onto them, got low={space.low.tolist()} high={space.high.tolist()}"
            )

    def split(self, proto: Tensor) -> tuple[Tensor, Tensor]:
        """Nearest valid discrete indices and the parameters of unit-box proto-actions.

        Args:
            proto: ``[..., D]`` proto-actions; values outside ``[-1, 1]`` are clipped first (the
                reference code's ``a_clip = 1``).

        Returns:
            ``(int64 [..., n_discrete], [..., n_continuous])``.
        """
        x = self.relaxed.from_unit(require_finite_proto(proto).clamp(-1.0, 1.0))
        return self.relaxed.project_indices(x), self.relaxed.clamp_continuous(x)

    def round(self, proto: Tensor) -> HybridAction:
        """The nearest valid action of every proto-action ``[B, D]`` (Cacla's and MinMax's map)."""
        discrete, continuous = self.split(proto)
        return HybridAction(discrete, continuous)

    def discrete_unit(self, discrete: Tensor) -> Tensor:
        """Unit-box coordinates ``[..., n_discrete]`` of discrete indices ``[..., n_discrete]``."""
        positions = self.relaxed.positions_of(discrete)
        padding = positions.new_zeros(*positions.shape[:-1], self.n_continuous)
        return self.relaxed.to_unit(torch.cat([positions, padding], dim=-1))[..., : self.n_discrete]

    def critic_input(self, discrete: Tensor, continuous: Tensor) -> Tensor:
        """Unit-box coordinates ``[..., D]`` of actions given as ``[..., n_d]`` and ``[..., n_c]``.

        ``continuous`` broadcasts against the leading dims of ``discrete``, so a search can hold
        the parameters ``[B, 1, n_c]`` fixed for ``M`` candidates ``[B, M, n_d]``.
        """
        continuous = continuous.expand(*discrete.shape[:-1], self.n_continuous)
        x = torch.cat([self.relaxed.positions_of(discrete), continuous], dim=-1)
        unit = self.relaxed.to_unit(x)
        if not self._governed:
            return unit
        active = self.space.active_mask(discrete)
        return torch.cat([unit[..., : self.n_discrete], unit[..., self.n_discrete :] * active], -1)

    def to_unit(self, action: HybridAction) -> Tensor:
        """Unit-box coordinates ``[B, D]`` of actions, every parameter kept (the actor's space)."""
        return self.relaxed.to_unit(self.relaxed.encode(action))

    def unit(self, action: HybridAction) -> Tensor:
        """`critic_input` of a `HybridAction` batch: ``[B, D]``."""
        return self.critic_input(action.discrete, action.continuous)

"""Reference policies for ``OrderUpToReplenishment-v0``: uniform random and per-item (s, S)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from hybrid_toolkit.envs.families.order_up_to.config import OrderUpToConfig
from hybrid_toolkit.spaces import HybridAction, HybridSpace

REFERENCE_S_S: dict[float, tuple[int, int]] = {20.0: (22, 28), 10.0: (11, 16)}
"""(s, S) per Poisson rate from the DNC reference code's comment (optimal there for K = 0)."""


class RandomLevelsPolicy:
    """Uniformly random order-up-to levels (``action_space.sample``), from its own generator.

    Args:
        action_space: The env's action space.
        seed: Seed of the policy's generator (independent of the env's demand stream).
        device: Device of the generator and of the returned actions.
    """

    def __init__(
        self, action_space: HybridSpace, seed: int = 0, device: torch.device | str = "cpu"
    ) -> None:
        self.action_space = action_space
        self.device = torch.device(device)
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(seed)

    def __call__(self, obs: Tensor) -> HybridAction:
        """Random levels for every row of ``obs`` (``[B, N]``)."""
        return self.action_space.sample(obs.shape[0], generator=self.generator, device=obs.device)


class SSPolicy:
    """Independent (s, S) policies: item ``i`` orders up to ``S_i`` when ``I_i <= s_i``.

    Otherwise it asks for a level that orders nothing (its inventory, clipped to
    ``0 .. s_max``). With ``s = S - 1`` this is a base-stock policy. The policy ignores the
    joint cost ``K``, so it is a strong heuristic for ``K > 0``, not the optimum.

    Args:
        config: The env's configuration (items, rates, ``s_max``).
        reorder_points: ``s`` per item, cycled over the items like ``demand_rates``; by default
            looked up from each item's rate in :data:`REFERENCE_S_S`.
        order_up_to: ``S`` per item, cycled likewise; integers in ``0 .. s_max``, ``>= s``.
        device: Device of the returned actions.

    Raises:
        ValueError: For a rate without a reference (s, S) when none were given, or for values
            outside ``0 .. s_max`` or with ``s > S``.
    """

    def __init__(
        self,
        config: OrderUpToConfig,
        reorder_points: Sequence[int] | None = None,
        order_up_to: Sequence[int] | None = None,
        device: torch.device | str = "cpu",
    ) -> None:
        rates = config.item_demand_rates()
        if reorder_points is None or order_up_to is None:
            unknown = sorted({r for r in rates if r not in REFERENCE_S_S})
            if unknown:
                raise ValueError(
                    f"SSPolicy has no reference (s, S) for demand rates {unknown} (known: "
                    f"{sorted(REFERENCE_S_S)}); pass reorder_points and order_up_to"
                )
        s = _cycled(
            reorder_points, config.n_items, [REFERENCE_S_S.get(r, (0, 0))[0] for r in rates]
        )
        big_s = _cycled(
            order_up_to, config.n_items, [REFERENCE_S_S.get(r, (0, 0))[1] for r in rates]
        )
        for i, (lo, hi) in enumerate(zip(s, big_s, strict=True)):
            if not 0 <= hi <= config.s_max or lo > hi:
                raise ValueError(
                    f"SSPolicy item {i}: (s, S) = ({lo}, {hi}); expected S in [0, "
                    f"{config.s_max}] and s <= S"
                )
        self.s_max = config.s_max
        self.reorder_points = torch.tensor(s, dtype=torch.float32, device=device)
        """``s`` per item, ``[N]``."""
        self.order_up_to = torch.tensor(big_s, dtype=torch.int64, device=device)
        """``S`` per item, ``[N]``."""

    def __call__(self, obs: Tensor) -> HybridAction:
        """Levels for inventories ``obs`` (``[B, N]``), on ``obs``'s device."""
        s = self.reorder_points.to(obs.device)
        big_s = self.order_up_to.to(obs.device)
        hold = torch.clamp(torch.floor(obs), 0, self.s_max).long()
        levels = torch.where(obs <= s, big_s, hold)
        return HybridAction(levels, obs.new_zeros(obs.shape[0], 0))


def _cycled(values: Sequence[int] | None, n: int, default: list[int]) -> list[int]:
    if values is None:
        return default
    values = [int(v) for v in values]
    if not values:
        raise ValueError("SSPolicy reorder_points / order_up_to must not be empty")
    return [values[i % len(values)] for i in range(n)]

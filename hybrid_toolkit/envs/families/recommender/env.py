"""Batched recommender environments of the DNC/DGRL papers (discrete, and with prices).

State: the feature row of the item the user currently consumes (the episode starts at a
uniformly random item). Each step the agent recommends ``k`` items (``k`` categorical
components over the catalogue; repeats allowed, each slot is its own offer). The user then

1. takes slot ``i`` with the probability of the choice model (``Recommender-v0``: the reference
   code's sigmoid model; ``RecommenderPricing-v0``: multinomial logit with prices and an outside
   option), or else consumes an item drawn uniformly from all items except the current one;
2. the consumed item becomes the state, and its tier reward is paid (plus the price of the slot
   if a priced recommendation was taken);
3. the user leaves (``terminated``) with ``accept_termination_prob`` after taking a
   recommendation and ``reject_termination_prob`` otherwise; episodes are truncated after
   ``max_steps``.

Item positions: item ids are ranks in the lexicographic order of their feature rows, and the
components use those ranks as positions. Nearby positions therefore share their leading genre
weights (``action`` first), and the tier reward never decreases with the position, so relaxed
coordinates carry meaning, though the point cloud is deliberately irregular.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.envs.families.recommender.catalogue import Catalogue, synthetic_catalogue
from hybrid_toolkit.envs.families.recommender.choice import (
    mnl_choice_probabilities,
    mnl_utilities,
    sample_from_probabilities,
    sample_mnl_choice,
    sigmoid_choice_probabilities,
    similarities,
)
from hybrid_toolkit.envs.families.recommender.config import (
    RecommenderConfig,
    RecommenderPricingConfig,
)
from hybrid_toolkit.envs.families.recommender.movielens import load_movielens_catalogue
from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace


def build_catalogue(config: RecommenderConfig) -> Catalogue:
    """The catalogue a config describes: the user's MovieLens file, else the synthetic one."""
    if config.movies_csv:
        return load_movielens_catalogue(config.movies_csv, config.reward_tiers, config.tier_cuts)
    return synthetic_catalogue(
        config.catalogue_size, config.catalogue_seed, config.reward_tiers, config.tier_cuts
    )


class RecommenderEnv(HybridEnv):
    """The discrete recommender (``Recommender-v0``); see the module docstring.

    ``info`` carries ``"choice"`` (slot index taken, ``k`` = outside option), ``"accepted"``
    (bool) and ``"consumed_item"`` (the next state's item id), all ``[B]``.

    Attributes:
        catalogue: The items (features, tier rewards) on the env's device.
        current_item: Item id each scenario's user consumes now, ``int64 [B]`` (the state).

    Args:
        config: The configuration; defaults to ``RecommenderConfig()``.
        num_envs: Batch size ``B``.
        device: Torch device of every tensor.
        validate_actions: Check every action against ``action_space``.
    """

    snapshot_exclude = frozenset({"catalogue"})  # built from the config; the largest tensors

    def __init__(
        self,
        config: RecommenderConfig | None = None,
        num_envs: int = 1,
        device: torch.device | str = "cpu",
        validate_actions: bool = True,
    ) -> None:
        super().__init__(num_envs=num_envs, device=device, validate_actions=validate_actions)
        self.config = config if config is not None else self._default_config()
        self.catalogue = build_catalogue(self.config).to(self.device)
        n_items, k = self.catalogue.n_items, self.config.n_recommendations
        if n_items < 2 or k > n_items:
            raise ValueError(
                f"the catalogue has {n_items} items; need at least 2 and at least "
                f"n_recommendations={k}"
            )
        self.action_space = self._build_action_space()
        n_features = self.catalogue.n_features
        self.observation_space = gymnasium.spaces.Box(
            low=np.zeros(n_features, dtype=np.float32),
            high=np.ones(n_features, dtype=np.float32),
            dtype=np.float32,
        )
        self.current_item = torch.zeros(self.num_envs, dtype=torch.int64, device=self.device)
        self._t = torch.zeros(self.num_envs, dtype=torch.int64, device=self.device)

    def _default_config(self) -> RecommenderConfig:
        return RecommenderConfig()

    def _slots(self) -> list[DiscreteComponent]:
        n, k = self.catalogue.n_items, self.config.n_recommendations
        return [DiscreteComponent(n, "categorical", name=f"slot{i}") for i in range(k)]

    def _build_action_space(self) -> HybridSpace:
        return HybridSpace(self._slots())

    # ---------------------------------------------------------------- choice model
    def choice_probabilities(self, action: HybridAction) -> Tensor:
        """Probability of each option ``[B, k + 1]`` (last: outside) in the current states."""
        sim = similarities(self.catalogue.features, self.current_item, action.discrete)
        return sigmoid_choice_probabilities(sim, self.config.similarity_weight)

    def _choose(self, action: HybridAction) -> tuple[Tensor, Tensor]:
        """Sample the option taken ``[B]`` and the extra reward it pays ``[B]``."""
        choice = sample_from_probabilities(self.choice_probabilities(action), self.generator)
        return choice, torch.zeros(self.num_envs, device=self.device)

    # ---------------------------------------------------------------- HybridEnv hooks
    def _reset_envs(self, mask: Tensor) -> Tensor:
        start = torch.randint(
            0,
            self.catalogue.n_items,
            (self.num_envs,),
            generator=self.generator,
            device=self.device,
        )
        self.current_item = torch.where(mask, start, self.current_item)
        self._t = torch.where(mask, 0, self._t)
        return self.catalogue.features[self.current_item]

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        cfg, gen, dev = self.config, self.generator, self.device
        k = cfg.n_recommendations
        choice, extra_reward = self._choose(action)
        accepted = choice < k
        taken = action.discrete.gather(1, choice.clamp(max=k - 1).unsqueeze(1)).squeeze(1)
        # Uniform over the other n - 1 items: draw from n - 1 ids and skip the current one.
        other = torch.randint(
            0, self.catalogue.n_items - 1, (self.num_envs,), generator=gen, device=dev
        )
        other = other + (other >= self.current_item).long()
        self.current_item = torch.where(accepted, taken, other)
        reward = self.catalogue.rewards[self.current_item] + extra_reward
        leave = torch.where(accepted, cfg.accept_termination_prob, cfg.reject_termination_prob)
        terminated = torch.rand(self.num_envs, generator=gen, device=dev) < leave
        self._t = self._t + 1
        truncated = (self._t >= cfg.max_steps) & ~terminated
        info = {"choice": choice, "accepted": accepted, "consumed_item": self.current_item}
        return self.catalogue.features[self.current_item], reward, terminated, truncated, info


class RecommenderPricingEnv(RecommenderEnv):
    """The recommender with a price per recommended item (``RecommenderPricing-v0``).

    Action: the ``k`` item slots plus ``k`` always-active prices in ``[price_low, price_high]``
    (continuous parameter ``i`` prices slot ``i``). The user's choice is the multinomial logit
    of :class:`RecommenderPricingConfig`, sampled as the argmax of Gumbel-perturbed utilities.
    Reward: the consumed item's tier reward, plus the price if a recommended item was taken.
    Prices outside the range are clipped to it (they are rejected first when
    ``validate_actions`` is on).
    """

    config: RecommenderPricingConfig

    def __init__(
        self,
        config: RecommenderPricingConfig | None = None,
        num_envs: int = 1,
        device: torch.device | str = "cpu",
        validate_actions: bool = True,
    ) -> None:
        if config is not None and not isinstance(config, RecommenderPricingConfig):
            raise TypeError(
                "RecommenderPricingEnv needs a RecommenderPricingConfig, "
                f"got {type(config).__name__}"
            )
        super().__init__(config, num_envs, device, validate_actions)

    def _default_config(self) -> RecommenderConfig:
        return RecommenderPricingConfig()

    def _build_action_space(self) -> HybridSpace:
        cfg, k = self.config, self.config.n_recommendations
        return HybridSpace(
            self._slots(),
            low=[cfg.price_low] * k,
            high=[cfg.price_high] * k,
            continuous_names=[f"price{i}" for i in range(k)],
        )

    def utilities(self, action: HybridAction) -> Tensor:
        """Deterministic MNL utilities ``[B, k + 1]`` (last: outside) in the current states."""
        cfg = self.config
        sim = similarities(self.catalogue.features, self.current_item, action.discrete)
        prices = self._prices(action)
        return mnl_utilities(
            sim, prices, cfg.similarity_weight, cfg.price_sensitivity, cfg.outside_utility
        )

    def choice_probabilities(self, action: HybridAction) -> Tensor:
        """MNL probability of each option ``[B, k + 1]`` (last: outside) in the current states."""
        return mnl_choice_probabilities(self.utilities(action))

    def _prices(self, action: HybridAction) -> Tensor:
        cfg = self.config
        return action.continuous.detach().to(torch.float32).clamp(cfg.price_low, cfg.price_high)

    def _choose(self, action: HybridAction) -> tuple[Tensor, Tensor]:
        k = self.config.n_recommendations
        choice = sample_mnl_choice(self.utilities(action), self.generator)
        paid = self._prices(action).gather(1, choice.clamp(max=k - 1).unsqueeze(1)).squeeze(1)
        return choice, torch.where(choice < k, paid, 0.0)

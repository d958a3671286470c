"""Reference policies for the recommenders: uniform random and greedy similarity × reward."""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.envs.families.recommender.choice import mnl_choice_probabilities, mnl_utilities
from hybrid_toolkit.envs.families.recommender.env import RecommenderEnv, RecommenderPricingEnv
from hybrid_toolkit.spaces import HybridAction


class RandomRecommendationsPolicy:
    """Uniformly random items (and uniformly random prices), from the policy's own generator.

    Args:
        env: The env whose action space to sample.
        seed: Seed of the policy's generator (independent of the env's stream).
    """

    def __init__(self, env: RecommenderEnv, seed: int = 0) -> None:
        self.action_space = env.action_space
        self.generator = torch.Generator(device=env.device)
        self.generator.manual_seed(seed)

    def __call__(self, obs: Tensor) -> HybridAction:
        """Random actions for every row of ``obs``."""
        return self.action_space.sample(obs.shape[0], generator=self.generator, device=obs.device)


class GreedyRecommender:
    """Myopic heuristic: the ``k`` items of highest ``sigmoid(w sim) * reward``.

    ``sim`` is the cosine similarity to the current item (``-1`` for the current item itself,
    as in the choice model) and ``w`` the config's ``similarity_weight``. The current item is
    recovered from the observation as the catalogue row most similar to it (rows are distinct
    unit vectors, so that is the row itself).

    Args:
        env: The env (supplies the catalogue and ``k``).
    """

    def __init__(self, env: RecommenderEnv) -> None:
        self.features = env.catalogue.features
        self.rewards = env.catalogue.rewards
        self.k = env.config.n_recommendations
        self.weight = env.config.similarity_weight

    def similarities(self, obs: Tensor) -> tuple[Tensor, Tensor]:
        """Similarities of all items to each observed one ``[B, n_items]``, and its id ``[B]``."""
        sim = obs.to(self.features.device, torch.float32) @ self.features.T
        current = sim.argmax(dim=1)
        return sim.scatter(1, current.unsqueeze(1), -1.0), current

    def greedy_items(self, sim: Tensor) -> Tensor:
        """The ``k`` items of highest ``sigmoid(w sim) * reward`` per row, ``[B, k]``."""
        score = torch.sigmoid(self.weight * sim) * self.rewards
        return score.topk(self.k, dim=1).indices

    def __call__(self, obs: Tensor) -> HybridAction:
        """The greedy items for every row of ``obs`` (no continuous part)."""
        items = self.greedy_items(self.similarities(obs)[0])
        return HybridAction(items.to(obs.device), obs.new_zeros(obs.shape[0], 0))


class GreedyPricingRecommender(GreedyRecommender):
    """Greedy items, priced by a myopic equal-markup search under the env's MNL model.

    Treating the outside option's expected reward ``rbar`` (the mean tier reward of a random
    other item) as the benchmark, offering item ``i`` at price ``p_i`` earns a margin
    ``m_i = p_i + r_i - rbar`` if taken. Under an MNL with one price sensitivity the myopic
    optimum has equal margins, so the policy tries ``n_markups`` common margins ``m``, sets
    ``p_i = clip(m - (r_i - rbar), price_low, price_high)`` and keeps the ``m`` of highest
    expected immediate reward. It ignores the effect of the choice on termination.

    Args:
        env: A :class:`RecommenderPricingEnv`.
        n_markups: Size of the markup grid.
    """

    def __init__(self, env: RecommenderPricingEnv, n_markups: int = 64) -> None:
        super().__init__(env)
        cfg = env.config
        self.price_low, self.price_high = cfg.price_low, cfg.price_high
        self.beta, self.u0 = cfg.price_sensitivity, cfg.outside_utility
        spread = self.rewards - self.rewards.mean()
        self.markups = torch.linspace(
            cfg.price_low + float(spread.min()),
            cfg.price_high + float(spread.max()),
            n_markups,
            device=self.features.device,
        )

    def __call__(self, obs: Tensor) -> HybridAction:
        """Greedy items and their prices for every row of ``obs``."""
        sim_all, current = self.similarities(obs)
        items = self.greedy_items(sim_all)  # [B, k]
        sim = sim_all.gather(1, items)
        reward = self.rewards[items]
        n = self.rewards.numel()
        other_mean = (self.rewards.sum() - self.rewards[current]) / (n - 1)  # [B]
        margin_gap = reward - other_mean.unsqueeze(1)  # r_i - rbar, [B, k]
        prices = (self.markups.view(1, -1, 1) - margin_gap.unsqueeze(1)).clamp(
            self.price_low, self.price_high
        )  # [B, G, k]
        utilities = mnl_utilities(
            sim.unsqueeze(1).expand_as(prices).flatten(0, 1),
            prices.flatten(0, 1),
            self.weight,
            self.beta,
            self.u0,
        )
        probs = mnl_choice_probabilities(utilities).view(*prices.shape[:2], self.k + 1)
        outside = other_mean.view(-1, 1, 1).expand(-1, prices.shape[1], 1)
        payoff = torch.cat([reward.unsqueeze(1) + prices, outside], dim=2)  # [B, G, k + 1]
        best = (probs * payoff).sum(dim=2).argmax(dim=1)  # [B]
        chosen = prices[torch.arange(prices.shape[0], device=prices.device), best]
        return HybridAction(items.to(obs.device), chosen.to(obs.device))

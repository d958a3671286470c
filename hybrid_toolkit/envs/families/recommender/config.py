"""Configuration of the recommender environments (discrete and with prices)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from hybrid_toolkit.envs.families.recommender.catalogue import MAX_SYNTHETIC_ITEMS
from hybrid_toolkit.utils.config_checks import check_field_types, check_reward_scale


@dataclass
class RecommenderConfig:
    """Configuration of `Recommender-v0` (DNC `Recommender_py`, DGRL's discrete recommender).

    The user accepts recommended item `i` with `sigmoid(similarity_weight * sim_i)` (a
    binary logit against a zero-utility "no"); see :mod:`..recommender.env` for the full model.
    """

    n_recommendations: int = 2
    """Number k of items recommended per step (k categorical components over the catalogue)."""
    catalogue_size: int = 1639
    """Distinct items of the synthetic catalogue (1,639 = MovieLens 25M; DGRL used 343)."""
    catalogue_seed: int = 0
    """Seed of the synthetic catalogue generator (fixed, so every run sees the same items)."""
    movies_csv: str = ""
    """Path of a user-supplied MovieLens `movies.csv`; when set, the catalogue is built from
    that file (`catalogue_size` and `catalogue_seed` are then not used); `""`: synthetic."""
    similarity_weight: float = 5.0
    """Weight of cosine similarity in the user's utility (5 in the reference code's sigmoid)."""
    accept_termination_prob: float = 0.1
    """Probability that the user leaves after accepting a recommendation."""
    reject_termination_prob: float = 0.2
    """Probability that the user leaves after ignoring the recommendations."""
    max_steps: int = 100
    """Steps after which an episode is truncated."""
    reward_tiers: tuple[float, ...] = (1.0, 10.0, 30.0)
    """Reward of each item tier, lowest-ranked tier first."""
    tier_cuts: tuple[float, ...] = (0.6, 0.9)
    """Fractions of the item ranking where the next reward tier starts (one fewer than tiers)."""

    def __post_init__(self) -> None:
        check_field_types(self)
        _check_int(self, "n_recommendations", 1)
        _check_int(self, "max_steps", 1)
        _check_int(self, "catalogue_seed", 0)
        _check_int(self, "catalogue_size", 2)
        if self.catalogue_size > MAX_SYNTHETIC_ITEMS:
            raise ValueError(
                f"RecommenderConfig.catalogue_size must be <= {MAX_SYNTHETIC_ITEMS}, "
                f"got {self.catalogue_size}"
            )
        if not self.movies_csv and self.n_recommendations > self.catalogue_size:
            raise ValueError(
                f"RecommenderConfig.n_recommendations ({self.n_recommendations}) must not exceed "
                f"catalogue_size ({self.catalogue_size})"
            )
        for name in ("accept_termination_prob", "reject_termination_prob"):
            value = getattr(self, name)
            if not _is_finite(value) or not 0.0 <= value <= 1.0:
                raise ValueError(
                    f"RecommenderConfig.{name} must be a probability in [0, 1], got {value!r}"
                )
        if not _is_finite(self.similarity_weight):
            raise ValueError(
                "RecommenderConfig.similarity_weight must be a finite number, "
                f"got {self.similarity_weight!r}"
            )
        self.reward_tiers = tuple(float(r) for r in self.reward_tiers)
        self.tier_cuts = tuple(float(c) for c in self.tier_cuts)
        if len(self.reward_tiers) != len(self.tier_cuts) + 1 or not all(
            math.isfinite(r) for r in self.reward_tiers
        ):
            raise ValueError(
                "RecommenderConfig.reward_tiers must hold one finite reward more than tier_cuts "
                f"has cuts, got reward_tiers={self.reward_tiers} and tier_cuts={self.tier_cuts}"
            )
        check_reward_scale(self, self._reward_scales(), self.max_steps)
        cuts = self.tier_cuts
        if any(not 0.0 <= c <= 1.0 for c in cuts) or any(
            b < a for a, b in itertools.pairwise(cuts)
        ):
            raise ValueError(
                "RecommenderConfig.tier_cuts must be non-decreasing fractions in [0, 1], "
                f"got {cuts}"
            )

    def _reward_scales(self) -> dict[str, float]:
        """Per-step reward magnitudes: the largest tier reward."""
        return {"reward_tiers": max((abs(r) for r in self.reward_tiers), default=0.0)}


@dataclass
class RecommenderPricingConfig(RecommenderConfig):
    """Configuration of `RecommenderPricing-v0`: a price per recommended item, MNL choice.

    Utility of recommended item `i`: ``similarity_weight * sim_i - price_sensitivity * p_i +
    eps_i`; of the outside option (a non-recommended item): `outside_utility + eps_0``; the
    `eps` are i.i.d. standard Gumbel and the user takes the option of highest utility. With
    `k = 1`, zero prices and `outside_utility = 0` this is exactly the discrete model.
    """

    price_sensitivity: float = 0.5
    """beta: utility lost per unit of price (>= 0)."""
    outside_utility: float = 0.0
    """u_0: deterministic utility of ignoring the recommendations."""
    price_low: float = 0.0
    """Smallest price of a recommended item."""
    price_high: float = 10.0
    """Largest price of a recommended item."""

    def _reward_scales(self) -> dict[str, float]:
        """Per-step reward magnitudes: the largest tier reward plus the largest price."""
        price = max(abs(self.price_low), abs(self.price_high))
        return {**super()._reward_scales(), "price_high": price}

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("price_sensitivity", "outside_utility", "price_low", "price_high"):
            if not _is_finite(getattr(self, name)):
                raise ValueError(
                    f"RecommenderPricingConfig.{name} must be a finite number, "
                    f"got {getattr(self, name)!r}"
                )
        if self.price_sensitivity < 0:
            raise ValueError(
                "RecommenderPricingConfig.price_sensitivity must be >= 0 (higher prices must not "
                f"attract users), got {self.price_sensitivity!r}"
            )
        if self.price_low > self.price_high:
            raise ValueError(
                "RecommenderPricingConfig.price_low must be <= price_high, got "
                f"price_low={self.price_low!r} > price_high={self.price_high!r}"
            )


def _is_finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_int(config: object, name: str, low: int) -> None:
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(
            f"{type(config).__name__}.{name} must be an integer >= {low}, got {value!r}"
        )

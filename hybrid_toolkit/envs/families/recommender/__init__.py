"""MovieLens-style recommender environments (DNC/DGRL); registers their env ids.

Importing this package registers ``Recommender-v0`` (k items, the reference sigmoid choice
model) and ``RecommenderPricing-v0`` (k items plus a price each, multinomial-logit choice with an
outside option), and their gymnasium ids ``hybrid_toolkit/<name>``.
"""

from hybrid_toolkit.envs.families.recommender.catalogue import (
    GENRES,
    Catalogue,
    genre_vocabulary,
    synthetic_catalogue,
    tfidf_catalogue,
    tier_rewards,
    tokenize_genres,
)
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
from hybrid_toolkit.envs.families.recommender.env import (
    RecommenderEnv,
    RecommenderPricingEnv,
    build_catalogue,
)
from hybrid_toolkit.envs.families.recommender.movielens import load_movielens_catalogue
from hybrid_toolkit.envs.families.recommender.policies import (
    GreedyPricingRecommender,
    GreedyRecommender,
    RandomRecommendationsPolicy,
)
from hybrid_toolkit.envs.registry import register_env

__all__ = [
    "GENRES",
    "Catalogue",
    "GreedyPricingRecommender",
    "GreedyRecommender",
    "RandomRecommendationsPolicy",
    "RecommenderConfig",
    "RecommenderEnv",
    "RecommenderPricingConfig",
    "RecommenderPricingEnv",
    "build_catalogue",
    "genre_vocabulary",
    "load_movielens_catalogue",
    "mnl_choice_probabilities",
    "mnl_utilities",
    "sample_from_probabilities",
    "sample_mnl_choice",
    "sigmoid_choice_probabilities",
    "similarities",
    "synthetic_catalogue",
    "tfidf_catalogue",
    "tier_rewards",
    "tokenize_genres",
]

register_env(
    "Recommender-v0",
    RecommenderEnv,
    RecommenderConfig,
    description=(
        "DNC/DGRL recommender: recommend k of 1,639 tf-idf genre items (synthetic MovieLens-like "
        "catalogue or your movies.csv); sigmoid similarity choice, random user exit."
    ),
)
register_env(
    "RecommenderPricing-v0",
    RecommenderPricingEnv,
    RecommenderPricingConfig,
    description=(
        "DGRL hybrid recommender: k items plus a price each; multinomial-logit choice with an "
        "outside option; reward = item tier reward + price if a recommendation is taken."
    ),
)

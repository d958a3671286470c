"""Recommender catalogues: tf-idf by hand on a tiny movies.csv, the synthetic generator."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from hybrid_toolkit.envs.families.recommender import (
    Catalogue,
    genre_vocabulary,
    load_movielens_catalogue,
    synthetic_catalogue,
    tier_rewards,
    tokenize_genres,
)

TINY_CSV = """movieId,title,genres
1,"Heat, The (1995)",Action|Crime|Thriller
2,Alien (1979),Horror|Sci-Fi
3,Aliens (1986),Horror|Sci-Fi
4,Untitled,(no genres listed)
5,"Big Sleep, The (1946)",Crime|Film-Noir
6,Airplane! (1980),Comedy
"""


def write_tiny_csv(tmp_path: Path) -> Path:
    path = tmp_path / "movies.csv"
    path.write_text(TINY_CSV, encoding="utf-8")
    return path


def test_tokenizer_splits_movielens_genres_like_scikit_learn() -> None:
    assert tokenize_genres("Action|Sci-Fi") == ["action", "sci", "fi"]
    assert tokenize_genres("Crime|Film-Noir") == ["crime", "film", "noir"]
    assert tokenize_genres("(no genres listed)") == ["genres", "listed"]  # "no" is a stop word
    assert tokenize_genres("IMAX") == ["imax"]


def test_movielens_loader_builds_tfidf_items_by_hand(tmp_path: Path) -> None:
    catalogue = load_movielens_catalogue(write_tiny_csv(tmp_path))
    vocabulary = ["action", "comedy", "crime", "fi", "film", "genres", "horror", "listed",
                  "noir", "sci", "thriller"]  # fmt: skip
    assert list(catalogue.vocabulary) == vocabulary
    assert catalogue.n_movies == 6
    # Smooth idf over the 6 movies: ln(7 / (1 + df)) + 1.
    once, twice = math.log(7 / 2) + 1, math.log(7 / 3) + 1
    idf = {"crime": twice, "fi": twice, "horror": twice, "sci": twice}

    def row(*tokens: str) -> list[float]:
        weights = [idf.get(t, once) if t in tokens else 0.0 for t in vocabulary]
        norm = math.sqrt(sum(w * w for w in weights))
        return [w / norm for w in weights]

    # Five distinct combinations (the two Alien films share one), sorted lexicographically
    # with "action" the most significant column: (no genres), Horror|Sci-Fi, Crime|Film-Noir,
    # Comedy, Action|Crime|Thriller.
    expected = [
        row("genres", "listed"),
        row("horror", "sci", "fi"),
        row("crime", "film", "noir"),
        row("comedy"),
        row("action", "crime", "thriller"),
    ]
    torch.testing.assert_close(catalogue.features, torch.tensor(expected), rtol=0, atol=1e-6)
    # Five items: cuts at round(0.6 * 4) = 2 and round(0.9 * 4) = 4.
    assert catalogue.rewards.tolist() == [1.0, 1.0, 10.0, 10.0, 30.0]


def test_movielens_loader_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"movies_csv '.*nowhere.csv' does not exist"):
        load_movielens_catalogue(tmp_path / "nowhere.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("movieId,title\n1,Heat\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"must have a 'genres' column, got columns"):
        load_movielens_catalogue(bad)


def test_tier_rewards_follow_the_reference_cuts() -> None:
    rewards = tier_rewards(1639)
    # The reference data: rows 0..982 earn 1, 983..1473 earn 10, 1474..1638 earn 30.
    assert rewards[:983].eq(1).all() and rewards[983:1474].eq(10).all()
    assert rewards[1474:].eq(30).all()
    with pytest.raises(ValueError, match="one more tier than cuts"):
        tier_rewards(10, (1.0, 2.0), (0.5, 0.9))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return synthetic_catalogue()


def test_synthetic_catalogue_has_the_movielens_shape(catalogue: Catalogue) -> None:
    features = catalogue.features
    assert features.shape == (1639, 23)
    assert list(catalogue.vocabulary) == sorted(catalogue.vocabulary) == list(genre_vocabulary())
    assert catalogue.vocabulary[0] == "action"
    assert (features >= 0).all()
    torch.testing.assert_close(features.norm(dim=1), torch.ones(1639))
    assert torch.unique(features, dim=0).shape[0] == 1639
    # Most items combine 3-5 tokens, as the MovieLens items do.
    tokens = (features > 0).sum(dim=1).float()
    assert 3 <= tokens.median().item() <= 5


def test_synthetic_items_are_in_lexicographic_order(catalogue: Catalogue) -> None:
    diff = catalogue.features[1:] - catalogue.features[:-1]
    first_difference = (diff != 0).float().argmax(dim=1)
    leading = diff.gather(1, first_difference.unsqueeze(1)).squeeze(1)
    assert (leading > 0).all()


def test_synthetic_rewards_grow_with_the_action_weight(catalogue: Catalogue) -> None:
    rewards, action = catalogue.rewards, catalogue.features[:, 0]
    assert [int((rewards == r).sum()) for r in (1, 10, 30)] == [983, 491, 165]
    assert (rewards[1:] >= rewards[:-1]).all()  # the relaxed coordinate orders the rewards
    # As in the reference data: no reward-1 item has the "action" genre and the reward-30
    # items have the largest "action" weights.
    assert (action[rewards == 1] == 0).all()
    assert action[rewards == 30].min() > action[rewards == 10].max()


def test_synthetic_items_form_an_irregular_point_cloud(catalogue: Catalogue) -> None:
    distances = torch.cdist(catalogue.features, catalogue.features)
    distances.fill_diagonal_(math.inf)
    nearest = distances.min(dim=1).values
    # A regular grid would give one nearest-neighbour distance; these spread widely.
    assert nearest.std() / nearest.mean() > 0.2


def test_synthetic_catalogue_is_deterministic_and_sized(catalogue: Catalogue) -> None:
    again = synthetic_catalogue()
    assert torch.equal(again.features, catalogue.features)
    other = synthetic_catalogue(seed=1)
    assert not torch.equal(other.features, catalogue.features)
    small = synthetic_catalogue(343)
    assert small.features.shape == (343, 23)
    with pytest.raises(ValueError, match=r"n_items must be in \[1, 20000\], got 0"):
        synthetic_catalogue(0)

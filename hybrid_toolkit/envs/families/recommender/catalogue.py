"""Item catalogues for the recommender: tf-idf genre features, tier rewards, a synthetic source.

The construction follows the DNC reference preprocessing of MovieLens ``movies.csv``:

1. tokenise every movie's genre string (``"Sci-Fi"`` becomes ``sci`` and ``fi``,
   ``"(no genres listed)"`` becomes ``genres`` and ``listed``), vocabulary in alphabetical order;
2. tf-idf over all movies: raw term count times ``idf = ln((1 + N) / (1 + df)) + 1`` (smooth
   idf, ``N`` movies, ``df`` movies containing the token), each row L2-normalised;
3. keep one row per distinct genre combination and sort the rows lexicographically (first
   feature, ``action``, most significant), which is the item order;
4. reward by rank: the first 60 % of items earn 1, the next 30 % earn 10, the last 10 % earn 30
   (cuts at ``round(0.6 (n - 1))`` and ``round(0.9 (n - 1))``), so the reward grows with the
   ``action`` weight.

:func:`synthetic_catalogue` replaces the MovieLens movies with movies drawn from a fixed seed
(skewed genre popularity, one to six genres each) and applies the same steps, so the library
ships no data; :mod:`~hybrid_toolkit.envs.families.recommender.movielens` reads a user's file.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

GENRES: tuple[str, ...] = (
    "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance", "Sci-Fi",
    "Thriller", "War", "Western", "(no genres listed)",
)  # fmt: skip
"""The 20 genre labels of MovieLens 25M; the last one stands alone on a movie."""

GENRE_POPULARITY: tuple[float, ...] = (
    7.3, 4.1, 2.9, 2.9, 16.9, 5.3, 5.6, 25.6, 2.7, 0.35, 5.9, 0.2, 1.05, 2.9, 7.7, 3.6, 8.7,
    1.9, 1.4,
)  # fmt: skip
"""Relative popularity of the first 19 genres (roughly their MovieLens 25M counts, thousands)."""

GENRES_PER_MOVIE: tuple[float, ...] = (0.35, 0.32, 0.2, 0.09, 0.03, 0.01)
"""Probability that a synthetic movie (with genres) has 1, 2, …, 6 genres."""

NO_GENRE_PROBABILITY = 0.02
"""Probability that a synthetic movie is labelled ``(no genres listed)`` only."""

MAX_SYNTHETIC_ITEMS = 20_000
"""Largest synthetic catalogue (distinct genre combinations get rare well before the 43,796
that exist, so larger requests would need millions of draws)."""

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STOP_WORDS = frozenset({"a", "an", "and", "no", "not", "of", "or", "the"})
# Of scikit-learn's English stop words only "no" occurs in MovieLens genre labels; the few others
# listed keep the tokeniser sensible on hand-made files.


@dataclass(frozen=True)
class Catalogue:
    """An item catalogue: one feature row and one reward per item, in item-id order.

    Attributes:
        features: ``float32 [n_items, n_features]``, non-negative rows of unit L2 norm, sorted
            lexicographically (item id = rank in that order).
        rewards: ``float32 [n_items]``, the tier reward of each item.
        vocabulary: Name of each feature column (alphabetical tokens).
        n_movies: Number of (raw, possibly duplicate) movies the catalogue was built from.
    """

    features: Tensor
    rewards: Tensor
    vocabulary: tuple[str, ...]
    n_movies: int

    @property
    def n_items(self) -> int:
        """Number of distinct items."""
        return int(self.features.shape[0])

    @property
    def n_features(self) -> int:
        """Length of a feature row."""
        return int(self.features.shape[1])

    def to(self, device: torch.device | str) -> Catalogue:
        """The same catalogue with its tensors on ``device``."""
        return Catalogue(
            self.features.to(device), self.rewards.to(device), self.vocabulary, self.n_movies
        )


def tokenize_genres(genres: str) -> list[str]:
    """Tokens of a MovieLens genre string, like scikit-learn's default word tokeniser.

    Lower-cases, keeps runs of two or more word characters, drops English stop words.

    Examples:
        >>> tokenize_genres("Action|Sci-Fi|(no genres listed)")
        ['action', 'sci', 'fi', 'genres', 'listed']
    """
    return [w for w in _TOKEN.findall(genres.lower()) if w not in _STOP_WORDS]


def tier_rewards(
    n_items: int, tiers: Sequence[float] = (1.0, 10.0, 30.0), cuts: Sequence[float] = (0.6, 0.9)
) -> Tensor:
    """Rewards by rank: item ``r`` earns ``tiers[j]`` where ``j`` counts the cuts it passed.

    Cut ``c`` sits at rank ``floor(c (n_items - 1) + 0.5)`` (1,639 items: 983 / 491 / 165).
    """
    if len(tiers) != len(cuts) + 1:
        raise ValueError(
            "tier_rewards needs one more tier than cuts, got "
            f"{len(tiers)} tiers and {len(cuts)} cuts"
        )
    ranks = torch.arange(n_items)
    tier = torch.zeros(n_items, dtype=torch.int64)
    for cut in cuts:
        tier += (ranks >= math.floor(cut * (n_items - 1) + 0.5)).long()
    return torch.tensor(tuple(tiers), dtype=torch.float32)[tier]


def tfidf_catalogue(
    counts: np.ndarray,
    vocabulary: Sequence[str],
    tiers: Sequence[float] = (1.0, 10.0, 30.0),
    cuts: Sequence[float] = (0.6, 0.9),
) -> Catalogue:
    """Steps 2–4 of the module docstring: tf-idf, distinct rows, lexicographic order, rewards.

    Args:
        counts: Term counts ``[n_movies, n_tokens]`` (one row per raw movie).
        vocabulary: Token of each column (alphabetical).
        tiers: Reward of each tier, lowest rank first.
        cuts: Fractions of the rank range where the next tier starts.
    """
    counts = np.asarray(counts, dtype=np.float64)
    n_movies = counts.shape[0]
    if n_movies == 0:
        raise ValueError("tfidf_catalogue needs at least one movie, got none")
    df = (counts > 0).sum(axis=0)
    idf = np.log((1.0 + n_movies) / (1.0 + df)) + 1.0
    distinct = np.unique(counts, axis=0)  # one row per genre combination, before weighting
    distinct = distinct[distinct.sum(axis=1) > 0]  # a movie without tokens has no direction
    if len(distinct) == 0:
        raise ValueError("tfidf_catalogue: no movie has any genre token")
    weighted = distinct * idf
    norms = np.linalg.norm(weighted, axis=1, keepdims=True)
    features = np.divide(weighted, norms, out=np.zeros_like(weighted), where=norms > 0)
    order = np.lexsort(features.T[::-1])  # lexsort's last key is the most significant
    features = features[order]
    return Catalogue(
        features=torch.from_numpy(features.astype(np.float32)),
        rewards=tier_rewards(len(features), tiers, cuts),
        vocabulary=tuple(vocabulary),
        n_movies=n_movies,
    )


def genre_vocabulary() -> tuple[str, ...]:
    """The 23 alphabetical tokens of the 20 MovieLens genre labels."""
    return tuple(sorted({t for g in GENRES for t in tokenize_genres(g)}))


def synthetic_catalogue(
    n_items: int = 1639,
    seed: int = 0,
    tiers: Sequence[float] = (1.0, 10.0, 30.0),
    cuts: Sequence[float] = (0.6, 0.9),
) -> Catalogue:
    """A deterministic MovieLens-like catalogue of exactly ``n_items`` distinct items.

    Movies are drawn in blocks from ``numpy.random.default_rng(seed)`` until ``n_items``
    distinct genre combinations have appeared; the movies up to the one that completed the
    count form the corpus (so idf reflects the skewed popularity), then
    :func:`tfidf_catalogue` builds the items. The vocabulary is always the 23 genre tokens.

    Args:
        n_items: Number of distinct items, ``1 .. MAX_SYNTHETIC_ITEMS``.
        seed: Seed of the generator; the same seed gives the same catalogue on every platform.
        tiers: Reward of each tier, lowest rank first.
        cuts: Fractions of the rank range where the next tier starts.
    """
    if isinstance(n_items, bool) or not isinstance(n_items, int):
        raise ValueError(f"n_items must be an integer, got {n_items!r}")
    if not 1 <= n_items <= MAX_SYNTHETIC_ITEMS:
        raise ValueError(f"n_items must be in [1, {MAX_SYNTHETIC_ITEMS}], got {n_items}")
    counts = _synthetic_movies(n_items, seed)
    return tfidf_catalogue(counts, genre_vocabulary(), tiers, cuts)


@functools.lru_cache(maxsize=8)
def _synthetic_movies(n_items: int, seed: int) -> np.ndarray:
    vocabulary = genre_vocabulary()
    token_index = {t: i for i, t in enumerate(vocabulary)}
    # Genre-to-token incidence: multiplying a genre indicator matrix by it gives term counts.
    incidence = np.zeros((len(GENRES), len(vocabulary)))
    for g, genre in enumerate(GENRES):
        for token in tokenize_genres(genre):
            incidence[g, token_index[token]] += 1.0
    rng = np.random.default_rng(seed)
    blocks: list[np.ndarray] = []
    seen: set[bytes] = set()
    n_drawn = 0
    while True:
        block = _draw_genre_block(rng, 4096)
        for row, key in enumerate(np.packbits(block, axis=1)):
            seen.add(key.tobytes())
            if len(seen) == n_items:
                blocks.append(block[: row + 1])
                genres = np.concatenate(blocks).astype(np.float64)
                counts = genres @ incidence
                counts.flags.writeable = False  # shared by the cache
                return counts
        blocks.append(block)
        n_drawn += len(block)
        if n_drawn > 5_000_000:  # unreachable below MAX_SYNTHETIC_ITEMS; guards a bad edit
            raise RuntimeError(f"synthetic catalogue did not reach {n_items} distinct items")


def _draw_genre_block(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` movies as a bool genre-indicator matrix ``[size, 20]``."""
    n_regular = len(GENRE_POPULARITY)
    n_genres = rng.choice(len(GENRES_PER_MOVIE), size=size, p=_normalised(GENRES_PER_MOVIE)) + 1
    # Weighted sampling without replacement: the top-k of log-weight + Gumbel noise.
    keys = np.log(np.asarray(GENRE_POPULARITY)) + rng.gumbel(size=(size, n_regular))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    chosen = rank < n_genres[:, None]
    no_genre = rng.random(size) < NO_GENRE_PROBABILITY
    chosen[no_genre] = False
    return np.concatenate([chosen, no_genre[:, None]], axis=1)


def _normalised(weights: Sequence[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum()

"""Build a recommender catalogue from a user-supplied MovieLens ``movies.csv``.

The library never downloads MovieLens (its licence allows no redistribution without
permission); point ``RecommenderConfig.movies_csv`` at your own copy of ``ml-25m/movies.csv``
(or any MovieLens release with a ``genres`` column of ``|``-separated labels). ML-25M (62,423
movies) should give the DNC reference catalogue, 1,639 distinct items × 23 features (the spec's
reference data; not checked here, as no MovieLens file is shipped).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from hybrid_toolkit.envs.families.recommender.catalogue import (
    Catalogue,
    tfidf_catalogue,
    tokenize_genres,
)


def load_movielens_catalogue(
    path: str | Path,
    tiers: Sequence[float] = (1.0, 10.0, 30.0),
    cuts: Sequence[float] = (0.6, 0.9),
) -> Catalogue:
    """Read ``movies.csv`` and build the tf-idf item catalogue (see the ``catalogue`` module).

    Every row counts as a movie for the idf; the vocabulary is every token that occurs, in
    alphabetical order; items are the distinct non-empty feature rows.

    Args:
        path: Path of a CSV file with a header row containing a ``genres`` column.
        tiers: Reward of each tier, lowest rank first.
        cuts: Fractions of the rank range where the next tier starts.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: If the file has no ``genres`` column or no movie with a genre token.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"movies_csv {str(path)!r} does not exist; download MovieLens yourself "
            "(https://grouplens.org/datasets/movielens/) or use the synthetic catalogue "
            '(movies_csv="")'
        )
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "genres" not in reader.fieldnames:
            raise ValueError(
                f"movies_csv {str(path)!r} must have a 'genres' column, "
                f"got columns {reader.fieldnames}"
            )
        documents = [tokenize_genres(row["genres"] or "") for row in reader]
    if not documents:
        raise ValueError(f"movies_csv {str(path)!r} has no movie rows")
    vocabulary = sorted({token for doc in documents for token in doc})
    if not vocabulary:
        raise ValueError(f"movies_csv {str(path)!r}: no movie has a genre token")
    column = {token: j for j, token in enumerate(vocabulary)}
    counts = np.zeros((len(documents), len(vocabulary)))
    for i, doc in enumerate(documents):
        for token in doc:
            counts[i, column[token]] += 1.0
    return tfidf_catalogue(counts, vocabulary, tiers, cuts)

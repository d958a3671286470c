"""Wolpertinger: exact k-NN over the enumerated set, argmax-Q choice, the size limit."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.dnc import ActionCodec, NearestNeighbourSelection, Wolpertinger
from hybrid_toolkit.algorithms.dnc import knn as knn_module
from hybrid_toolkit.spaces import DiscreteComponent, HybridSpace

SPACE = HybridSpace(
    [
        DiscreteComponent(4, "ordinal", positions=(0.0, 1.0, 5.0, 6.0)),
        DiscreteComponent(3, "ordinal"),
        DiscreteComponent(5, "ordinal"),
    ]
)


def brute_force_knn(lookup: NearestNeighbourSelection, query: torch.Tensor, k: int) -> torch.Tensor:
    dist = torch.cdist(query.clamp(-1, 1).double(), lookup.table.double())
    return dist.argsort(dim=1, stable=True)[:, :k]


@pytest.mark.parametrize("budget", [knn_module.DISTANCE_BUDGET, 7])
def test_nearest_neighbours_match_brute_force(budget: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(knn_module, "DISTANCE_BUDGET", budget)  # 7: many table chunks
    lookup = NearestNeighbourSelection(ActionCodec(SPACE, "cpu"), 5, 1000)
    assert lookup.n_actions == 60 and lookup.actions.shape == (60, 3)
    query = torch.rand(40, 3, generator=torch.Generator().manual_seed(0)) * 2.4 - 1.2
    got = lookup.nearest(query)
    assert torch.equal(got, brute_force_knn(lookup, query, 5))
    # the nearest neighbour of a product grid is the per-component rounding
    rounded = ActionCodec(SPACE, "cpu").round(query).discrete
    assert torch.equal(lookup.actions[got[:, 0]], rounded)


class TableCritic:
    """A stand-in critic: ``Q(s, a)`` is a fixed table over the first discrete coordinate."""

    def encode(self, feats: torch.Tensor) -> torch.Tensor:
        return feats

    def score(self, encoding: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        return -(actions[..., 0] - 0.5).abs() + 0.01 * actions[..., 2]


def test_selection_is_the_critics_best_of_the_k_nearest() -> None:
    codec = ActionCodec(SPACE, "cpu")
    lookup = NearestNeighbourSelection(codec, 6, 1000)
    proto = torch.rand(32, 3, generator=torch.Generator().manual_seed(1)) * 2 - 1
    selection = lookup.select(TableCritic(), torch.zeros(32, 1), proto)  # type: ignore[arg-type]
    candidates = lookup.actions[lookup.nearest(proto)]
    scores = TableCritic().score(
        torch.zeros(32, 1), codec.critic_input(candidates, torch.zeros(32, 6, 0))
    )
    best = candidates[torch.arange(32), scores.argmax(dim=1)]
    assert torch.equal(selection.action.discrete, best)
    assert selection.search_gain is not None and (selection.search_gain >= 0).all()


def test_refuses_spaces_above_the_limit_naming_size_and_limit() -> None:
    with pytest.raises(ValueError, match=r"83,521 of them, above the limit max_actions=10,000"):
        Wolpertinger("Maze-v0", verbose=0, max_actions=10_000)
    with pytest.raises(ValueError, match=r"about 10\^19\.7 of them.*max_actions=1,000,000"):
        Wolpertinger(ht.make("Maze-v0", n_slots=16), verbose=0)
    lookup = NearestNeighbourSelection(ActionCodec(SPACE, "cpu"), 500, 1000)
    assert lookup.k == 60, "k is clipped to |A|"


def test_save_load_identical_predictions(tmp_path: Path) -> None:
    model = Wolpertinger("TargetMultiDiscrete-v0", seed=0, verbose=0, num_envs=4).learn(64)
    obs = ht.make("TargetMultiDiscrete-v0", num_envs=8).reset(seed=2)
    path = model.save(tmp_path / "wolp")
    assert torch.equal(model.predict(obs)[0].discrete, ht.load(path).predict(obs)[0].discrete)

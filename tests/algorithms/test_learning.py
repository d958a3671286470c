"""Every algorithm learns its tiny task: each learning case at seed 0, with the budget and the
threshold of :data:`hybrid_toolkit.bench.learning.LEARNING_CASES`.

Those thresholds are checked to hold for seeds 0-4 under the default MKL kernels,
``MKL_CBWR=COMPATIBLE`` and ``MKL_CBWR=AVX2`` (``hybrid-toolkit bench learning-sweep --mode
full``; results on the Reliability page), so this test says something about the algorithm, not
about seed 0 on one CPU. The slow test below re-runs seeds 1-4 in-process.
"""

from __future__ import annotations

import pytest

from hybrid_toolkit.bench.learning import LEARNING_CASES

NAMES = list(LEARNING_CASES)


@pytest.mark.parametrize("name", NAMES)
def test_learns_its_task(name: str) -> None:
    LEARNING_CASES[name].check(seed=0)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("name", NAMES)
def test_learns_its_task_on_other_seeds(name: str, seed: int) -> None:
    LEARNING_CASES[name].check(seed=seed)


def test_every_algorithm_has_a_learning_case() -> None:
    import hybrid_toolkit as ht

    covered = {case.algorithm for case in LEARNING_CASES.values()}
    assert covered == set(ht.list_algorithms())


def test_thresholds_sit_above_chance() -> None:
    """A case that chance passes would test nothing."""
    for case in LEARNING_CASES.values():
        assert not case.passes(case.chance), case.name

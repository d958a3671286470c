"""The spaces' constructors refuse malformed arguments with a ValueError naming them."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace, RelaxedCoordinates

INF = math.inf


@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (lambda: HybridSpace([2.7]), r"DiscreteComponent\.n must be an integer >= 1, got 2\.7"),
        (lambda: HybridSpace([True]), r"n must be an integer >= 1, got True"),
        (lambda: HybridSpace.multi_discrete([2.5]), r"got 2\.5"),
        (lambda: HybridSpace.parameterized([1.5]), r"param_dims\[0\] must be an integer >= 0"),
        (lambda: HybridSpace([2], low=[INF], high=[INF]), r"low\[0\] must be below \+inf"),
        (lambda: HybridSpace([2], low=[-INF], high=[-INF]), r"high\[0\] must be above -inf"),
        (lambda: HybridSpace([2], low=[1.0], high=[0.0]), r"low\[0\]=1\.0 > high\[0\]=0\.0"),
        (lambda: HybridSpace([2], low="a", high=1.0), r"low must be numbers, got 'a'"),
        (lambda: HybridSpace([2], [0.0], [1.0], activation=[[0], []]), r"activation must be a "),
        (lambda: HybridSpace([2], [0.0], [1.0], activation={0: [0, []]}), r"activation\[0\]\[0\]"),
        (lambda: HybridSpace([2], [0.0], [1.0], activation={"0": [[0], []]}), r"component '0'"),
        (lambda: HybridSpace([2], [0, 0], [1, 1], continuous_names="ab"), r"continuous_names"),
        (lambda: HybridSpace([2], [0.0], [1.0], continuous_names=[1]), r"must be strings"),
        (lambda: DiscreteComponent(2, positions="ab"), r"positions must be a list or tuple"),
        (lambda: DiscreteComponent(2, positions=[0, "a"]), r"positions must be numbers"),
        (lambda: DiscreteComponent(2, name=3), r"name must be a string, got 3"),  # type: ignore[arg-type]
    ],
)
def test_malformed_constructor_arguments_are_named(build, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        build()


def test_numpy_integers_and_arrays_are_accepted() -> None:
    space = HybridSpace([np.int64(3)], low=np.zeros(2), high=np.ones(2))
    assert space.discrete[0].n == 3 and type(space.discrete[0].n) is int
    assert DiscreteComponent(2, positions=np.array([0.0, 5.0])).positions == (0.0, 5.0)
    assert HybridSpace([2], low=[-INF], high=[INF]).n_continuous == 1  # unbounded stays valid


@pytest.mark.parametrize(
    ("document", "pattern"),
    [
        ({"discrete": [{}]}, r"discrete\[0\] must have the key 'n'"),
        ([1, 2], r"document must be a JSON object"),
        ({"discrete": [{"n": 2, "size": 3}]}, r"unknown key\(s\) \['size'\]"),
        ({"discreet": []}, r"unknown key\(s\) \['discreet'\]"),
        ({"discrete": [{"n": 2}], "low": ["x"], "high": [1]}, r"\['low'\] entries must be"),
        ({"discrete": [{"n": 2}], "activation": [[0]]}, r"\['activation'\] must be a JSON object"),
        ({"discrete": "2"}, r"\['discrete'\] must be a list"),
    ],
)
def test_from_json_names_the_malformed_key(document: object, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        HybridSpace.from_json(document)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [-1, 1.5, "3", None])
def test_sample_refuses_a_bad_batch_size(n: object) -> None:
    with pytest.raises(ValueError, match=r"batch_size must be an integer >= 0"):
        HybridSpace([2]).sample(n)  # type: ignore[arg-type]


def test_sample_of_zero_is_an_empty_batch() -> None:
    assert HybridSpace([2], [0.0], [1.0]).sample(0).discrete.shape == (0, 1)


def test_validate_refuses_infinite_active_parameters_of_unbounded_dims() -> None:
    space = HybridSpace([2], low=[-INF], high=[INF])
    with pytest.raises(ValueError, match=r"is inf; expected a finite value in \[-inf, inf\]"):
        space.validate(HybridAction(torch.zeros(1, 1, dtype=torch.long), torch.tensor([[INF]])))


def test_hybrid_action_and_relaxed_coordinates_refuse_non_tensors() -> None:
    with pytest.raises(TypeError, match=r"HybridAction\.discrete must be a torch\.Tensor"):
        HybridAction([[0]], torch.zeros(1, 0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"space must be a HybridSpace"):
        RelaxedCoordinates([2])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"dtype must be a floating"):
        RelaxedCoordinates(HybridSpace([2]), dtype=torch.int64)
    with pytest.raises(TypeError, match=r"x must be a torch\.Tensor"):
        HybridSpace([2]).relaxed().project_indices([[0.0]])  # type: ignore[arg-type]

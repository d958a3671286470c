"""Unit tests of the core space types: validation messages, activation, cardinality, sampling."""

from __future__ import annotations

import json
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from spaces_strategies import brute_force_active_mask, hybrid_spaces, seeded

from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace


def lever_space() -> HybridSpace:
    """A 'mode' choice (0 -> dist, 1 -> angle, 2 -> nothing) plus a free 2-level component."""
    return HybridSpace(
        [DiscreteComponent(3, name="mode"), DiscreteComponent(2)],
        low=[0.0, -1.0],
        high=[1.0, 1.0],
        activation={0: [[0], [1], []]},
        continuous_names=["dist", "angle"],
    )


def act(discrete: list[list[int]], continuous: list[list[float]]) -> HybridAction:
    return HybridAction(torch.tensor(discrete), torch.tensor(continuous, dtype=torch.float32))


# ---------------------------------------------------------------------------- validate
def test_validate_accepts_a_valid_batch() -> None:
    lever_space().validate(act([[0, 1], [1, 0], [2, 1]], [[0.5, 0.0], [0.0, -1.0], [9.0, 9.0]]))


def test_wrong_index_names_component_value_and_range() -> None:
    with pytest.raises(ValueError) as err:
        lever_space().validate(act([[0, 0], [3, 0]], [[0.5, 0.0], [0.5, 0.0]]))
    msg = str(err.value)
    assert "discrete[1, 0]" in msg and "'mode'" in msg and "is 3" in msg and "[0, 2]" in msg


def test_negative_index_on_unnamed_component() -> None:
    with pytest.raises(ValueError, match=r"component 1\b.*is -1.*\[0, 1\]"):
        lever_space().validate(act([[0, -1]], [[0.5, 0.0]]))


def test_out_of_bound_active_parameter_names_parameter_value_and_range() -> None:
    with pytest.raises(ValueError) as err:
        lever_space().validate(act([[0, 0]], [[1.5, 0.0]]))
    msg = str(err.value)
    assert "continuous[0, 0]" in msg and "'dist'" in msg and "1.5" in msg and "[0.0, 1.0]" in msg


def test_inactive_out_of_bound_parameter_is_accepted() -> None:
    space = lever_space()
    space.validate(act([[1, 0]], [[7.0, 0.5]]))  # choice 1 uses only 'angle'
    space.validate(act([[2, 0]], [[7.0, -7.0]]))  # choice 2 uses nothing
    space.validate(act([[2, 0]], [[math.nan, math.nan]]))


def test_nan_in_active_parameter_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"'angle'.*nan"):
        lever_space().validate(act([[1, 0]], [[0.0, math.nan]]))


def test_wrong_shape_is_reported_with_expected_shape() -> None:
    with pytest.raises(ValueError, match=r"\[B, 2\].*\[B, 2\].*\[1, 3\]"):
        lever_space().validate(act([[0, 0, 0]], [[0.5, 0.0]]))


def test_wrong_dtypes_are_reported() -> None:
    space = lever_space()
    bad_int = HybridAction(torch.tensor([[0, 0]], dtype=torch.int32), torch.zeros(1, 2))
    with pytest.raises(ValueError, match=r"torch\.int64.*torch\.int32"):
        space.validate(bad_int)
    bad_float = HybridAction(torch.tensor([[0, 0]]), torch.zeros(1, 2, dtype=torch.int64))
    with pytest.raises(ValueError, match="floating"):
        space.validate(bad_float)


def test_non_action_is_a_type_error_and_contains_never_raises() -> None:
    space = lever_space()
    with pytest.raises(TypeError, match="HybridAction"):
        space.validate((torch.zeros(1, 2), torch.zeros(1, 2)))  # type: ignore[arg-type]
    assert space.contains(act([[0, 0]], [[0.5, 0.0]]))
    assert not space.contains(act([[0, 0]], [[1.5, 0.0]]))


# ---------------------------------------------------------------------------- activation
@settings(max_examples=60, deadline=None)
@given(space=hybrid_spaces(), seed=st.integers(0, 2**31 - 1))
def test_active_mask_matches_brute_force(space: HybridSpace, seed: int) -> None:
    discrete = space.sample(6, generator=seeded(seed)).discrete
    mask = space.active_mask(discrete.reshape(2, 3, -1))  # leading dims are kept
    assert mask.shape == (2, 3, space.n_continuous)
    for row, got in zip(discrete.tolist(), mask.reshape(6, -1).tolist(), strict=True):
        assert got == brute_force_active_mask(space, row)


def test_active_mask_of_parameterized_space_by_hand() -> None:
    space = HybridSpace.parameterized([2, 0, 1])
    mask = space.active_mask(torch.tensor([[0], [1], [2]]))
    assert mask.tolist() == [[True, True, False], [False, False, False], [False, False, True]]


# ---------------------------------------------------------------------------- cardinality
def test_log10_cardinality_of_a_10_to_the_20_space() -> None:
    space = HybridSpace.multi_discrete([101] * 10)
    assert space.log10_cardinality == pytest.approx(20.0432137, abs=1e-6)  # 10 * log10(101)
    assert f"{space.log10_cardinality:.2f}" == "20.04"


def test_log10_cardinality_small_space() -> None:
    assert HybridSpace.multi_discrete([2, 3, 4]).log10_cardinality == pytest.approx(math.log10(24))


# ---------------------------------------------------------------------------- sampling
def test_sample_respects_bounds_of_every_bound_kind() -> None:
    inf = math.inf
    space = HybridSpace([4, 1], low=[-2.0, 3.0, -inf, -inf], high=[5.0, inf, -1.0, inf])
    action = space.sample(20_000, generator=seeded(0))
    d, c = action.discrete, action.continuous
    assert d.dtype == torch.int64 and c.dtype == torch.float32
    assert (d[:, 1] == 0).all()
    counts = torch.bincount(d[:, 0], minlength=4).float() / 20_000
    assert torch.allclose(counts, torch.full((4,), 0.25), atol=0.02)
    assert ((c[:, 0] >= -2) & (c[:, 0] <= 5)).all() and c[:, 0].min() < -1.9 and c[:, 0].max() > 4.9
    assert (c[:, 1] >= 3).all() and c[:, 1].mean().item() == pytest.approx(4.0, abs=0.05)
    assert (c[:, 2] <= -1).all() and c[:, 2].mean().item() == pytest.approx(-2.0, abs=0.05)
    assert c[:, 3].mean().item() == pytest.approx(0.0, abs=0.05)
    assert c[:, 3].std().item() == pytest.approx(1.0, abs=0.05)
    space.validate(action)


def test_same_seed_same_sample_and_different_seed_different_sample() -> None:
    space = HybridSpace([5, 3], low=[0.0, -math.inf], high=[1.0, math.inf])
    a, b, other = (space.sample(64, generator=seeded(s)) for s in (7, 7, 8))
    assert torch.equal(a.discrete, b.discrete) and torch.equal(a.continuous, b.continuous)
    assert not torch.equal(a.continuous, other.continuous)


@settings(max_examples=60, deadline=None)
@given(space=hybrid_spaces(), seed=st.integers(0, 2**31 - 1))
def test_samples_always_validate(space: HybridSpace, seed: int) -> None:
    action = space.sample(16, generator=seeded(seed))
    assert action.discrete.shape == (16, space.n_discrete)
    assert action.continuous.shape == (16, space.n_continuous)
    space.validate(action)


# ---------------------------------------------------------------------------- JSON
@settings(max_examples=80, deadline=None)
@given(space=hybrid_spaces())
def test_json_round_trip(space: HybridSpace) -> None:
    text = json.dumps(space.to_json(), allow_nan=False)  # infinities must not leak as NaN/Infinity
    back = HybridSpace.from_json(json.loads(text))
    assert back == space
    assert back.discrete == space.discrete and back.activation == space.activation
    assert torch.equal(back.low, space.low) and torch.equal(back.high, space.high)


# ---------------------------------------------------------------------------- construction
@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"n": 0}, r"n must be an integer >= 1, got 0"),
        ({"n": True}, r"n must be an integer >= 1, got True"),
        ({"n": 2.5}, r"n must be an integer >= 1, got 2\.5"),
        ({"n": 2, "kind": "nominal"}, r"kind must be .*'nominal'"),
        ({"n": 3, "positions": (0.0, 1.0)}, r"n=3 entries, got 2"),
        ({"n": 3, "positions": (0.0, 2.0, 1.0)}, r"strictly increasing"),
        ({"n": 2, "positions": (0.0, math.inf)}, r"finite"),
        ({"n": 2, "positions": (math.nan, 1.0)}, r"finite"),
    ],
)
def test_discrete_component_rejects_bad_arguments(kwargs: dict, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        DiscreteComponent(**kwargs)


def test_discrete_component_positions_default_and_irregular() -> None:
    assert DiscreteComponent(3).position_values() == (0.0, 1.0, 2.0)
    assert DiscreteComponent(3, "ordinal", (0, 1, 10)).position_values() == (0.0, 1.0, 10.0)


@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (lambda: HybridSpace([2], low=[1.0], high=[0.0]), r"low\[0\]=1\.0 > high\[0\]=0\.0"),
        (lambda: HybridSpace([2], low=[0.0], high=[1.0], activation={1: [[0], []]}), "component 1"),
        (
            lambda: HybridSpace([2, 2], [0, 0], [1, 1], activation={0: [[0], []], 1: [[0], []]}),
            "governed by both",
        ),
        (lambda: HybridSpace([2], [0.0], [1.0], activation={0: [[0]]}), "each of its 2 choices"),
        (lambda: HybridSpace(), "at least one"),
    ],
)
def test_hybrid_space_rejects_inconsistent_definitions(build, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        build()

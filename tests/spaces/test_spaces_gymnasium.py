"""Gymnasium conversions: known spaces from the literature, round trips and error messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gymnasium import spaces
from gymnasium.vector.utils import batch_space
from hypothesis import given, settings
from hypothesis import strategies as st
from spaces_strategies import hybrid_spaces, seeded

from hybrid_toolkit.spaces import (
    CONVENTIONS,
    DiscreteComponent,
    HybridAction,
    HybridSpace,
    action_from_gymnasium,
    action_to_gymnasium,
    conventions_for,
    detect_convention,
    from_gymnasium,
    to_gymnasium,
)

PLATFORM = spaces.Tuple(
    (
        spaces.Discrete(3),
        spaces.Tuple(tuple(spaces.Box(0.0, h, (1,), np.float32) for h in (30.0, 720.0, 430.0))),
    )
)
GOAL = spaces.Tuple(
    (
        spaces.Discrete(3),
        spaces.Tuple(
            (
                spaces.Box(np.array([-1, -1], np.float32), np.array([1, 1], np.float32)),
                spaces.Box(-1.0, 1.0, (1,), np.float32),
                spaces.Box(-1.0, 1.0, (1,), np.float32),
            )
        ),
    )
)
MOVING = spaces.Tuple(
    (spaces.Discrete(3), spaces.Box(np.array([0, -1], np.float32), np.array([1, 1], np.float32)))
)


def plain(space: HybridSpace, activation: object = None) -> HybridSpace:
    """What gymnasium can carry of ``space``: sizes and bounds (categorical, no names)."""
    return HybridSpace(
        [DiscreteComponent(c.n) for c in space.discrete],
        space.low,
        space.high,
        activation=activation,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------------------- known spaces
def test_gym_platform_space_imports_as_regime_plus_parameters() -> None:
    space = from_gymnasium(PLATFORM)
    assert detect_convention(PLATFORM) == "platform"
    assert space == HybridSpace.parameterized([1, 1, 1], 0.0, [30.0, 720.0, 430.0], name="")
    assert space.active_mask(torch.tensor([[1]])).tolist() == [[False, True, False]]
    assert to_gymnasium(space, "platform") == PLATFORM


def test_gym_platform_action_values_by_hand() -> None:
    space = from_gymnasium(GOAL)
    value = (np.int64(1), (np.array([0.1, 0.2], np.float32), np.array([0.3], np.float32), [0.4]))
    action = action_from_gymnasium(space, value, "platform")
    assert action.discrete.tolist() == [[1]]
    expected = torch.tensor([[0.1, 0.2, 0.3, 0.4]], dtype=torch.float32)
    assert torch.equal(action.continuous, expected)
    back = action_to_gymnasium(space, action, "platform", batched=False)
    assert GOAL.contains(back)
    assert back[0] == 1
    for got, want in zip(back[1], ([0.1, 0.2], [0.3], [0.4]), strict=True):
        np.testing.assert_array_equal(got, np.array(want, np.float32))


def test_gym_hybrid_space_with_and_without_activation_map() -> None:
    shared = from_gymnasium(MOVING)
    assert detect_convention(MOVING) == "hybrid"
    assert shared.always_active.tolist() == [True, True]
    # gym-hybrid: accelerate uses p0, turn uses p1, break uses nothing.
    exact = from_gymnasium(MOVING, activation={0: [[0], [1], []]})
    mask = exact.active_mask(torch.tensor([[0], [1], [2]]))
    assert mask.tolist() == [[True, False], [False, True], [False, False]]
    action = action_from_gymnasium(exact, (2, np.array([0.5, -0.5], np.float32)), "hybrid")
    assert action.discrete.tolist() == [[2]] and action.continuous.tolist() == [[0.5, -0.5]]


def test_native_export_always_has_both_keys() -> None:
    discrete_only = to_gymnasium(HybridSpace.multi_discrete([2, 3]))
    assert set(discrete_only.spaces) == {"discrete", "continuous"}
    assert discrete_only["continuous"].shape == (0,)
    box_only = to_gymnasium(HybridSpace((), [0.0], [1.0]))
    assert box_only["discrete"].shape == (0,) and box_only["continuous"].shape == (1,)
    assert HybridSpace.multi_discrete([2, 3]).to_gymnasium() == discrete_only


def test_plain_spaces_import() -> None:
    assert from_gymnasium(spaces.Discrete(4)) == HybridSpace([4])
    assert from_gymnasium(spaces.MultiDiscrete([2, 5]), kind="ordinal") == HybridSpace(
        [DiscreteComponent(2, "ordinal"), DiscreteComponent(5, "ordinal")]
    )
    box = spaces.Box(np.array([-np.inf, 0], np.float32), np.array([1, np.inf], np.float32))
    assert from_gymnasium(box) == HybridSpace((), [-np.inf, 0.0], [1.0, np.inf])
    assert HybridSpace.from_gymnasium(spaces.Discrete(4)) == HybridSpace([4])


@pytest.mark.parametrize(
    "gym_space",
    [
        spaces.Text(5),
        spaces.MultiBinary(3),
        spaces.Discrete(3, start=1),
        spaces.MultiDiscrete([2, 2], start=[0, 1]),
        spaces.MultiDiscrete(np.full((2, 2), 2)),
        spaces.Box(0, 1, (2, 2)),
        spaces.Box(0, 10, (2,), np.int64),
        spaces.Tuple((spaces.Box(0, 1, (1,)), spaces.Discrete(2))),
        spaces.Tuple((spaces.Discrete(2), spaces.Tuple((spaces.Box(0, 1, (1,)),)))),
        spaces.Tuple((spaces.Discrete(2), spaces.Box(0, 1, (1,)), spaces.Box(0, 1, (1,)))),
        spaces.Dict({"action_type": spaces.Discrete(2), "action_args": spaces.Box(0, 1, (1,))}),
        spaces.OneOf((spaces.Box(0, 1, (1,)), spaces.Box(0, 1, (2,)))),
    ],
)
def test_unconvertible_space_is_a_type_error_naming_space_and_options(gym_space) -> None:
    with pytest.raises(TypeError) as err:
        from_gymnasium(gym_space)
    msg = str(err.value)
    assert str(gym_space) in msg
    assert "convertible forms" in msg and "Tuple(Discrete, Box)" in msg and "MultiDiscrete" in msg


def test_activation_is_refused_for_platform_tuples() -> None:
    with pytest.raises(ValueError, match="activation must be None"):
        from_gymnasium(PLATFORM, activation={0: [[0], [1], [2]]})


# ---------------------------------------------------------------------------- action errors
def test_convention_that_does_not_fit_lists_supported_ones() -> None:
    space = HybridSpace.multi_discrete([2, 3])
    with pytest.raises(ValueError, match=r"'hybrid'.*\['dict', 'multi_discrete'\]"):
        to_gymnasium(space, "hybrid")
    with pytest.raises(ValueError, match="convention must be one of"):
        action_to_gymnasium(space, space.sample(1), "tuple")


def test_unbatched_export_needs_exactly_one_action() -> None:
    space = HybridSpace.multi_discrete([2, 3])
    with pytest.raises(ValueError, match="exactly 1 action, got 2"):
        action_to_gymnasium(space, space.sample(2), batched=False)


def test_bad_values_are_reported_with_expected_shapes() -> None:
    space = HybridSpace([3], [0.0, 0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"continuous part must have shape \[2\], got \[3\]"):
        action_from_gymnasium(space, (1, np.zeros(3, np.float32)), "hybrid")
    with pytest.raises(ValueError, match=r"must hold integers.*1\.5"):
        action_from_gymnasium(space, {"discrete": [1.5], "continuous": [0.0, 0.0]})
    with pytest.raises(ValueError, match=r"pair \(k, params\)"):
        action_from_gymnasium(space, [1], "hybrid")
    regime = HybridSpace.parameterized([1, 2])
    with pytest.raises(ValueError, match=r"choice 1 must have shape \[2\], got \[1\]"):
        action_from_gymnasium(regime, (1, ([0.0], [0.0])), "platform")


# ---------------------------------------------------------------------------- properties
@settings(max_examples=80, deadline=None)
@given(space=hybrid_spaces())
def test_export_import_round_trip(space: HybridSpace) -> None:
    for convention in conventions_for(space):
        gym_space = to_gymnasium(space, convention)
        assert detect_convention(gym_space) == convention
        if convention == "platform":
            # The platform Tuple lists each choice's parameters block after block.
            blocks = space.activation[0]
            order = [j for block in blocks for j in block]
            starts = np.cumsum([0, *map(len, blocks)])
            contiguous = [list(range(s, s + len(b))) for s, b in zip(starts, blocks, strict=False)]
            expected = HybridSpace(
                [DiscreteComponent(space.discrete[0].n)],
                space.low[order],
                space.high[order],
                activation={0: contiguous},
            )
            assert from_gymnasium(gym_space) == expected
        else:
            keeps = convention in ("dict", "hybrid")
            imported = from_gymnasium(gym_space, activation=space.activation if keeps else None)
            assert imported == plain(space, space.activation if keeps else None)
        assert to_gymnasium(from_gymnasium(gym_space), convention) == gym_space


@settings(max_examples=80, deadline=None)
@given(space=hybrid_spaces(), seed=st.integers(0, 2**31 - 1), batch=st.integers(1, 4))
def test_action_round_trip_and_membership_for_every_convention(
    space: HybridSpace, seed: int, batch: int
) -> None:
    action = space.sample(batch, generator=seeded(seed))
    for convention in conventions_for(space):
        gym_space = to_gymnasium(space, convention)
        value = action_to_gymnasium(space, action, convention)
        assert batch_space(gym_space, batch).contains(value)  # gymnasium's vector layout
        back = action_from_gymnasium(space, value, convention)
        assert torch.equal(back.discrete, action.discrete)
        assert torch.equal(back.continuous, action.continuous)
        for i in range(batch):
            single = action_to_gymnasium(space, action[i], convention, batched=False)
            assert gym_space.contains(single)  # samples lie in the exported space
            one = action_from_gymnasium(space, single, convention)
            assert torch.equal(one.discrete, action.discrete[i : i + 1])
            assert torch.equal(one.continuous, action.continuous[i : i + 1])


@settings(max_examples=60, deadline=None)
@given(space=hybrid_spaces(), seed=st.integers(0, 2**31 - 1))
def test_gymnasium_samples_import_as_valid_actions(space: HybridSpace, seed: int) -> None:
    for convention in conventions_for(space):
        gym_space = to_gymnasium(space, convention)
        gym_space.seed(seed)
        space.validate(action_from_gymnasium(space, gym_space.sample(), convention))
        batched = batch_space(gym_space, 3)
        batched.seed(seed)
        action = action_from_gymnasium(space, batched.sample(), convention)
        assert isinstance(action, HybridAction) and action.batch_size == 3
        space.validate(action)


def test_conventions_constant_lists_every_name() -> None:
    assert set(CONVENTIONS) == {"dict", "platform", "hybrid", "discrete", "multi_discrete", "box"}
    assert conventions_for(HybridSpace([3])) == ("dict", "hybrid", "discrete", "multi_discrete")
    assert conventions_for(HybridSpace.parameterized([1, 2])) == ("dict", "platform", "hybrid")
    assert conventions_for(HybridSpace((), [0.0], [1.0])) == ("dict", "box")

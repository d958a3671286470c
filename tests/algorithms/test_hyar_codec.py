"""HyAR's action codec, and decoding arbitrary latents into valid hybrid actions."""

from __future__ import annotations

import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.hyar.codec import ActionCodec
from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace

PLATFORM_LIKE = HybridSpace.parameterized([1, 1, 1], low=0.0, high=[30.0, 720.0, 430.0])

SPACES = {
    "platform_like": PLATFORM_LIKE,
    "uneven_blocks": HybridSpace.parameterized([2, 0, 3], low=-2.0, high=[1.0, 5.0, 2.0, 3.0, 4.0]),
    "two_regimes": HybridSpace(
        [DiscreteComponent(2), DiscreteComponent(3)],
        low=[0.0, 0.0, -1.0],
        high=[1.0, 2.0, 1.0],
        activation={0: [[0], [1]], 1: [[], [2], []]},
    ),
    "shared_params": HybridSpace([4, 5], low=[-1.0, 0.0], high=[1.0, 9.0]),
    "discrete_only": HybridSpace.multi_discrete([3, 4, 2]),
    "zero_width": HybridSpace.parameterized([1, 1], low=[2.0, -1.0], high=[2.0, 1.0]),
}


def test_joint_choices_round_trip_in_mixed_radix() -> None:
    space = HybridSpace.multi_discrete([3, 4, 2])
    codec = ActionCodec(space, 4096)
    assert codec.n_choices == 24
    every = codec.to_discrete(torch.arange(24))
    assert torch.equal(codec.to_index(every), torch.arange(24))
    assert len({tuple(row) for row in every.tolist()}) == 24
    assert torch.equal(every[5], torch.tensor([0, 2, 1]))  # 5 = 0·8 + 2·2 + 1


@pytest.mark.parametrize("name", list(SPACES))
def test_params_round_trip_through_unit_scale(name: str) -> None:
    space = SPACES[name]
    codec = ActionCodec(space, 4096)
    action = space.sample(256, generator=torch.Generator().manual_seed(0))
    index = codec.to_index(action.discrete)
    unit = codec.params_of(action, index)
    assert bool((unit.abs() <= 1.0).all())
    assert bool((unit[~codec.slot_mask(index)] == 0).all())  # padding slots hold 0
    back = codec.action_from(index, unit)
    assert torch.equal(back.discrete, action.discrete)
    active = space.active_mask(action.discrete)
    assert torch.allclose(back.continuous[active], action.continuous[active], atol=1e-4)


@pytest.mark.parametrize("name", list(SPACES))
def test_any_unit_parameters_decode_to_a_valid_action(name: str) -> None:
    space = SPACES[name]
    codec = ActionCodec(space, 4096)
    gen = torch.Generator().manual_seed(1)
    index = torch.randint(codec.n_choices, (512,), generator=gen)
    params = (torch.rand(512, codec.param_dim, generator=gen) - 0.5) * 10  # far outside [-1, 1]
    params[:4] = torch.tensor([float("inf")])  # even infinities are clamped
    params[4:8] = -1.0
    space.validate(codec.action_from(index, params))


@pytest.mark.parametrize("env_id", ["TargetRegime-v0", "TargetHybrid-v0"])
def test_hyar_decodes_any_latent_to_a_valid_hybrid_action(env_id: str) -> None:
    model = ht.HyAR(env_id, seed=0, verbose=0, vae_hidden=16, actor_hidden=(16,))
    env = model.env
    obs = ht.make(env_id, num_envs=300).reset(seed=0)
    scaled = model.scaler(obs)
    gen = torch.Generator().manual_seed(2)
    width = model.config.embed_dim + model.config.latent_dim
    latents = torch.rand(300, width, generator=gen) * 2 - 1
    latents[:width] = torch.eye(width)  # corners of the actor's box
    latents[width : 2 * width] = -torch.eye(width)
    index, action = model._decode(scaled, latents)
    env.action_space.validate(action)
    assert torch.equal(model.codec.to_index(action.discrete), index)
    # and the public surface, deterministic and exploring
    env.action_space.validate(model.act(obs, deterministic=True))
    env.action_space.validate(model.act(obs, deterministic=False))


def test_unbounded_active_parameter_is_refused_with_its_name() -> None:
    space = HybridSpace.parameterized(
        [1, 1], low=[0.0, 0.0], high=[1.0, float("inf")], continuous_names=["speed", "force"]
    )
    with pytest.raises(ValueError, match=r"parameter 1 \('force'\) has bounds \[0.0, inf\]"):
        ActionCodec(space, 4096)


def test_too_many_joint_choices_is_refused() -> None:
    with pytest.raises(ValueError, match=r"10\^5.6 of them, more than max_discrete_choices=4096"):
        ActionCodec(HybridSpace.multi_discrete([5] * 8), 4096)
    with pytest.raises(ValueError, match="max_discrete_choices"):
        ht.HyAR(ht.make("TargetMultiDiscrete-v0", n_components=8), verbose=0)


def test_inactive_parameters_get_in_bounds_defaults() -> None:
    codec = ActionCodec(PLATFORM_LIKE, 4096)
    action = codec.action_from(torch.tensor([0, 2]), torch.tensor([[1.0], [-1.0]]))
    assert isinstance(action, HybridAction)
    assert torch.allclose(action.continuous[0], torch.tensor([30.0, 360.0, 215.0]))
    assert torch.allclose(action.continuous[1], torch.tensor([15.0, 360.0, 0.0]))

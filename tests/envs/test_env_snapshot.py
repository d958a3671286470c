"""Env snapshots: ``state_dict`` → ``load_state_dict`` makes a second env step identically."""

from __future__ import annotations

import io

import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.envs.adapters import GymnasiumToHybridEnv, HybridToGymnasiumVectorEnv


def through_a_file(state: dict) -> dict:
    """What a checkpoint gives back: ``torch.save``, then the no-pickle ``weights_only`` load."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return torch.load(io.BytesIO(buffer.getvalue()), weights_only=True)


@pytest.mark.parametrize("name", ht.list_envs())
def test_a_loaded_snapshot_continues_mid_episode_exactly(name: str) -> None:
    source, copy = ht.make(name, num_envs=3), ht.make(name, num_envs=3)
    source.reset(seed=1)
    copy.reset(seed=2)  # another state and random stream, overwritten by the snapshot
    actions = torch.Generator().manual_seed(0)
    for _ in range(3):
        source.step(source.action_space.sample(3, generator=actions))
    copy.load_state_dict(through_a_file(source.state_dict()))
    for _ in range(12):  # episodes that end here reset from the restored generator
        action = source.action_space.sample(3, generator=actions)
        a, b = source.step(action), copy.step(action)
        assert torch.equal(a.obs, b.obs) and torch.equal(a.reward, b.reward)
        assert torch.equal(a.terminated, b.terminated) and torch.equal(a.truncated, b.truncated)
        assert torch.equal(a.info["episode_return"], b.info["episode_return"])


def test_a_snapshot_keeps_the_loading_envs_own_choices() -> None:
    unchecked = ht.make("Maze-v0", num_envs=3, validate_actions=False)
    unchecked.load_state_dict(ht.make("Maze-v0", num_envs=3).state_dict())
    assert unchecked.validate_actions is False


def test_a_snapshot_refuses_another_batch_size() -> None:
    state = ht.make("Maze-v0", num_envs=3).state_dict()
    with pytest.raises(ValueError, match=r"snapshot is of 3 scenarios.*num_envs=2"):
        ht.make("Maze-v0", num_envs=2).load_state_dict(state)


def test_a_wrapped_gymnasium_env_has_no_exact_snapshot_and_says_so() -> None:
    env = GymnasiumToHybridEnv(HybridToGymnasiumVectorEnv(ht.make("TargetRegime-v0", num_envs=2)))
    assert not env.exact_snapshot and env.state_dict() == {}
    with pytest.warns(UserWarning, match="cannot snapshot its simulator"):
        env.load_state_dict({})

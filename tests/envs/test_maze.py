"""The maze family: hand-checked transitions, noise model, starts, episodes, errors, checker."""

from __future__ import annotations

import math
import warnings
from typing import Any

import gymnasium
import pytest
import torch

import hybrid_toolkit.envs.families.maze  # noqa: F401  (registers the maze ids)
from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.families.maze import MAZE_VARIANTS, MazeConfig, MazeEnv
from hybrid_toolkit.spaces import HybridAction

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
# Sub-step of one of 4 binary actuators: max reachable norm is |(1,0)+(0,1)| = sqrt(2).
BINARY4_SUBSTEP = 0.045 / math.sqrt(2.0)


def maze(name: str = "Maze-v0", num_envs: int = 1, **overrides: Any) -> MazeEnv:
    """``make`` for a maze id, typed as :class:`MazeEnv`."""
    env = make(name, num_envs=num_envs, **overrides)
    assert isinstance(env, MazeEnv)
    return env


def act(discrete: list[int], continuous: list[float] | None = None, batch: int = 1) -> HybridAction:
    """The same action for ``batch`` scenarios."""
    d = torch.tensor([discrete] * batch, dtype=torch.int64)
    c = torch.tensor([continuous or []] * batch, dtype=torch.float32).reshape(batch, -1)
    return HybridAction(d, c)


def place(env: MazeEnv, x: float, y: float) -> None:
    env.reset(seed=0)
    env.position = torch.tensor([[x, y]] * env.num_envs, device=env.device)


# ---------------------------------------------------------------- hand-checked transitions
def test_wall_hit_stops_the_step_and_pays_collision_reward() -> None:
    # DNC maze with 4 actuators (0, 90, 180, 270 degrees); "up" alone moves 1/sqrt(2) per unit.
    env = maze("MazeDNC-v0", n_actuators=4, noise_prob=0.0, collision_reward=-1.0)
    place(env, 0.25, 0.20)
    step = env.step(act([0, 1, 0, 0]))
    # Sub-step 1 reaches y = 0.2318 (free); sub-step 2 would reach 0.2636, inside the
    # horizontal wall y in [0.25, 0.30]: blocked, the agent stays and the step ends.
    assert step.obs[0].tolist() == pytest.approx([0.25, 0.20 + BINARY4_SUBSTEP], abs=1e-6)
    assert step.reward.item() == pytest.approx(-0.05 - 1.0)
    assert bool(step.info["collided"][0]) and not bool(step.terminated[0])


def test_border_blocks_like_a_wall() -> None:
    # 5 actuators: do-nothing, 0, 90, 180, 270 degrees; one slot -> full-speed motion.
    env = maze(n_actuators=5, n_slots=1, noise_prob=0.0)
    place(env, 0.98, 0.60)
    step = env.step(act([1]))  # 0.98 + 0.045 > 1: the first sub-step leaves the square
    assert step.obs[0].tolist() == pytest.approx([0.98, 0.60], abs=1e-6)
    assert bool(step.info["collided"][0])


def test_goal_entry_terminates_with_goal_reward_and_autoresets() -> None:
    env = maze(n_actuators=5, n_slots=1, noise_prob=0.0, start="eval")
    place(env, 0.275, 0.40)
    step = env.step(act([2]))  # up: y = 0.445 (below the goal), then 0.49 (inside it): stop
    assert step.info["final_obs"][0].tolist() == pytest.approx([0.275, 0.49], abs=1e-6)
    assert step.reward.item() == pytest.approx(-0.05 + 10.0)
    assert bool(step.terminated[0]) and not bool(step.truncated[0])
    assert step.info["episode_return"][0].item() == pytest.approx(9.95)
    assert int(step.info["episode_length"][0]) == 1
    assert step.obs[0].tolist() == pytest.approx([0.25, 0.10])  # same-step reset


def test_teleport_tile_sends_agent_back_and_substeps_continue() -> None:
    env = maze("MazeTeleport-v0", n_actuators=4, noise_prob=0.0)
    place(env, 0.66, 0.50)
    step = env.step(act([0, 0, 1, 0]))  # left, 0.0318 per sub-step
    # Sub-step 2 enters the tile [0.4, 0.6]^2 -> back to (0.99, 0.01); sub-steps 3-4 go on.
    assert step.obs[0].tolist() == pytest.approx([0.99 - 2 * BINARY4_SUBSTEP, 0.01], abs=1e-6)
    assert step.reward.item() == pytest.approx(-0.05 - 10.0)
    assert int(step.info["teleports"][0]) == 1


def test_free_step_displacement_by_hand() -> None:
    # 17 actuators: do-nothing + 16 directions 22.5 degrees apart, unrounded unit vectors.
    env = maze(noise_prob=0.0, round_decimals=-1)
    place(env, 0.70, 0.50)
    assert env.step(act([1, 1, 1, 1])).obs[0].tolist() == pytest.approx([0.88, 0.50], abs=1e-6)
    place(env, 0.70, 0.50)
    # Two slots at 0 degrees, two at 22.5 degrees; the largest sum is 4 (all slots alike),
    # so the step is 0.18 * (2 + 2 cos 22.5, 2 sin 22.5) / 4.
    c, s = math.cos(math.pi / 8), math.sin(math.pi / 8)
    expected = [0.70 + 0.18 * (2 + 2 * c) / 4, 0.50 + 0.18 * 2 * s / 4]
    assert env.step(act([1, 1, 2, 2])).obs[0].tolist() == pytest.approx(expected, abs=1e-6)
    place(env, 0.70, 0.50)
    assert env.step(act([0, 0, 0, 0])).obs[0].tolist() == pytest.approx([0.70, 0.50])


def test_hybrid_step_length_scales_and_is_clipped() -> None:
    env = maze("MazeHybrid-v0", noise_prob=0.0, round_decimals=-1, validate_actions=False)
    left = 1 + 8  # direction 8 of 16 is 180 degrees
    for length, moved in [(0.1, 0.1), (0.18, 0.18), (0.5, 0.18), (-0.3, 0.0)]:
        place(env, 0.80, 0.90)
        step = env.step(act([left] * 4, [length]))
        assert step.obs[0].tolist() == pytest.approx([0.80 - moved, 0.90], abs=1e-6)
    strict = maze("MazeHybrid-v0")
    strict.reset(seed=0)
    with pytest.raises(ValueError, match=r"step_length.*0\.5.*\[0\.0, 0\.18"):
        strict.step(act([left] * 4, [0.5]))


# ---------------------------------------------------------------- noise, starts, episodes
def test_noise_frequency_and_distribution() -> None:
    n = 4000
    env = maze(num_envs=n, noise_prob=0.1)
    place(env, 0.70, 0.10)  # noise only moves up/right; 4 sub-steps cannot reach a wall
    moved = env.step(act([0, 0, 0, 0], batch=n)).obs - torch.tensor([0.70, 0.10])
    # "Do nothing" moves only on noisy sub-steps: still with probability 0.9^4.
    still = (moved.abs().sum(dim=1) == 0).float().mean().item()
    assert still == pytest.approx(0.9**4, abs=4 * math.sqrt(0.6561 * 0.3439 / n))
    env = maze(num_envs=n, noise_prob=1.0)
    place(env, 0.70, 0.10)
    moved = env.step(act([0, 0, 0, 0], batch=n)).obs - torch.tensor([0.70, 0.10])
    # Each component: 4 sub-steps of U[0,1)/1.415*0.045: mean 4*0.5*0.045/1.415, sd 0.0184.
    assert bool((moved >= 0).all())
    mean = 4 * 0.5 * 0.045 / 1.415
    sd = math.sqrt(4 / 12) * 0.045 / 1.415
    assert moved.mean(dim=0).tolist() == pytest.approx([mean, mean], abs=4 * sd / math.sqrt(n))


def test_random_starts_avoid_walls_and_goal_and_eval_starts_are_fixed() -> None:
    env = maze(num_envs=5000)
    obs = env.reset(seed=1)
    x, y = obs[:, 0], obs[:, 1]
    in_walls = ((x <= 0.5) & (y >= 0.25) & (y <= 0.30)) | (
        (x >= 0.5) & (x <= 0.55) & (y >= 0.25) & (y <= 0.75)
    )
    in_goal = (x >= 0.25) & (x <= 0.30) & (y >= 0.45) & (y <= 0.50)
    assert not bool((in_walls | in_goal).any())
    # Uniform over the free area 1 - 0.025 - 0.025 - 0.0025: its centroid removes the walls'
    # (0.25, 0.275), (0.525, 0.5) and the goal's (0.275, 0.475) from the square's (0.5, 0.5).
    free = 1 - 0.0525
    centroid = [
        (0.5 - 0.025 * 0.25 - 0.025 * 0.525 - 0.0025 * 0.275) / free,
        (0.5 - 0.025 * 0.275 - 0.025 * 0.5 - 0.0025 * 0.475) / free,
    ]
    assert obs.mean(dim=0).tolist() == pytest.approx(centroid, abs=4 * 0.289 / math.sqrt(5000))
    below = ((x < 0.5) & (y < 0.25)).float().mean().item()
    p = 0.125 / free
    assert below == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / 5000))
    assert maze(start="eval").reset()[0].tolist() == pytest.approx([0.25, 0.10])
    teleport = maze("MazeTeleport-v0", num_envs=2000)
    starts = teleport.reset(seed=0)
    in_tile = ((starts >= 0.4) & (starts <= 0.6)).all(dim=1)
    assert not bool(in_tile.any())
    assert maze("MazeTeleport-v0", start="eval").reset()[0].tolist() == pytest.approx([0.99, 0.01])


def test_time_limit_truncates() -> None:
    env = maze(max_steps=3, noise_prob=0.0)
    place(env, 0.8, 0.5)
    for t in range(3):
        step = env.step(act([0, 0, 0, 0]))
        assert bool(step.truncated[0]) == (t == 2)
        assert not bool(step.terminated[0])
    assert step.info["episode_return"][0].item() == pytest.approx(-0.15)


@pytest.mark.parametrize("device", DEVICES)
def test_same_seed_same_trajectories(device: str) -> None:
    def rollout(seed: int) -> torch.Tensor:
        env = maze("MazeHybrid-v0", num_envs=8, device=device)
        gen = torch.Generator(device=env.device).manual_seed(0)
        obs = [env.reset(seed=seed)]
        for _ in range(20):
            obs.append(env.step(env.action_space.sample(8, generator=gen)).obs)
        return torch.stack(obs)

    assert torch.equal(rollout(3), rollout(3))
    assert not torch.equal(rollout(3), rollout(4))


# ---------------------------------------------------------------- sizes, errors, checker
def test_large_action_spaces_without_enumeration() -> None:
    # 2^64 on/off actuators and 17^16 slot vectors (~10^19.7) construct, sample and step.
    cases: list[tuple[dict[str, Any], float]] = [
        ({"n_actuators": 64}, 64 * math.log10(2)),
        ({"encoding": "slots", "n_slots": 16, "n_actuators": 17}, 16 * math.log10(17)),
    ]
    for overrides, log10 in cases:
        env = maze("MazeDNC-v0", num_envs=64, **overrides)
        assert env.action_space.log10_cardinality == pytest.approx(log10, abs=1e-3)
        env.reset(seed=0)
        action = env.action_space.sample(64, generator=torch.Generator().manual_seed(0))
        env.action_space.validate(action)
        assert env.step(action).obs.shape == (64, 2)


@pytest.mark.parametrize(
    ("discrete", "pattern"),
    [
        ([0, 0, 0, 17], r"\(component 3 \(.slot3.\)\) is 17; expected an integer in \[0, 16\]"),
        ([0, -1, 0, 0], r"'slot1'.*-1"),
    ],
)
def test_invalid_actions_raise(discrete: list[int], pattern: str) -> None:
    env = maze()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=pattern):
        env.step(act(discrete))
    with pytest.raises(ValueError, match="shape"):
        env.step(act([0, 0, 0]))


@pytest.mark.parametrize(
    ("overrides", "pattern"),
    [
        ({"n_actuators": 1}, r"n_actuators must be an integer >= 2, got 1"),
        ({"n_slots": 0}, r"n_slots must be an integer >= 1, got 0"),
        ({"step_unit": 0.06}, r"step_unit must lie in \(0, 0.05\).*got 0.06"),
        ({"noise_prob": 1.5}, r"noise_prob must lie in \[0, 1\], got 1.5"),
        ({"layout": "spiral"}, r"layout must be one of .*'l-walls'.*got 'spiral'"),
        ({"encoding": "onehot"}, r"encoding must be one of .*got 'onehot'"),
        ({"goal_reward": math.inf}, r"goal_reward must be a finite number, got inf"),
    ],
)
def test_invalid_configs_raise(overrides: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        MazeConfig(**overrides)


def test_unknown_config_key_names_valid_keys() -> None:
    with pytest.raises(ValueError, match=r"n_actuatorz.*valid keys are"):
        make("Maze-v0", n_actuatorz=3)


@pytest.mark.parametrize("name", list(MAZE_VARIANTS))
def test_gymnasium_env_checker_passes(name: str) -> None:
    pytest.importorskip("hybrid_toolkit.envs.adapters.gymnasium_env")
    from gymnasium.utils.env_checker import check_env

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        env = gymnasium.make(f"hybrid_toolkit/{name}")
        check_env(env.unwrapped)
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)

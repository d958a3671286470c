"""The Target family: hand-computed rewards, the reference policy, autoreset, seeding, gradients."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch

from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.families.target import TargetConfig, TargetEnv
from hybrid_toolkit.spaces import HybridAction

IDS = ["TargetRegime-v0", "TargetMultiDiscrete-v0", "TargetHybrid-v0"]
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def target(name: str, **kwargs: object) -> TargetEnv:
    """``make`` for a Target id, typed as :class:`TargetEnv`."""
    env = make(name, **kwargs)  # type: ignore[arg-type]
    assert isinstance(env, TargetEnv)
    return env


def _away(values: torch.Tensor, distance: float) -> torch.Tensor:
    """Values at exactly ``distance`` from ``values`` that stay inside [-1, 1] (move toward 0)."""
    return values - distance * torch.where(values >= 0, 1.0, -1.0)


# ---------------------------------------------------------------- hand-computed rewards
def test_regime_rewards_by_hand() -> None:
    env = target("TargetRegime-v0", num_envs=1, n_choices=3, param_dim=2)
    obs = env.reset(seed=3)
    best = int(obs[0, :3].argmax())
    targets = obs[0, 3:9].view(3, 2)  # block k holds regime k's two targets
    other = (best + 1) % 3

    def reward(choice: int, block: torch.Tensor) -> float:
        continuous = targets.clone()
        continuous[choice] = block
        action = HybridAction(torch.tensor([[choice]]), continuous.view(1, 6))
        return float(env.reward_for(action)[0])

    t = targets[best]
    # Right regime, one parameter 0.5 off: 1 - (0.25 + 0) / 2.
    assert reward(best, torch.stack([_away(t[0:1], 0.5)[0], t[1]])) == pytest.approx(0.875)
    # Wrong regime with its own parameters exact: 0 - 0.
    assert reward(other, targets[other]) == pytest.approx(0.0)
    # Wrong regime, both parameters 1.0 off: 0 - (1 + 1) / 2.
    assert reward(other, _away(targets[other], 1.0)) == pytest.approx(-1.0)
    # The parameters of regimes that were not chosen do not matter.
    far = _away(targets, 1.0).view(1, 6)
    far[0, 2 * best : 2 * best + 2] = t
    assert float(env.reward_for(HybridAction(torch.tensor([[best]]), far))[0]) == 1.0


def test_multi_discrete_rewards_by_hand() -> None:
    env = target("TargetMultiDiscrete-v0", num_envs=1)  # 4 components of 5 levels
    obs = env.reset(seed=5)
    goals = torch.round(obs[0, :4] * 4).long()
    empty = torch.zeros(1, 0)

    def reward(levels: torch.Tensor) -> float:
        return float(env.reward_for(HybridAction(levels.view(1, 4), empty))[0])

    off_by_two = goals.clone()
    off_by_two[0] = goals[0] + 2 if goals[0] <= 2 else goals[0] - 2
    assert reward(off_by_two) == pytest.approx(1 - (2 / 4) / 4)  # 0.875
    # Every component at the far end: mean |a - g| / 4 with |a - g| = max(g, 4 - g).
    farthest = torch.where(goals >= 2, 0, 4)
    expected = 1 - sum(max(g, 4 - g) for g in goals.tolist()) / 4 / 4
    assert reward(farthest) == pytest.approx(expected)
    assert reward(goals) == 1.0


def test_both_rewards_by_hand() -> None:
    env = target("TargetHybrid-v0", num_envs=1)  # 4 components of 5 levels, 2 parameters
    obs = env.reset(seed=7)
    goals = torch.round(obs[0, :4] * 4).long().view(1, 4)
    params = obs[0, 4:6].clone()
    shifted = params.clone()
    shifted[1] = _away(params[1:2], 0.5)[0]
    # Levels exact (1.0), parameters 1 - (0 + 0.25) / 2 = 0.875; the average is 0.9375.
    assert float(env.reward_for(HybridAction(goals, shifted.view(1, 2)))[0]) == pytest.approx(
        0.9375
    )
    one_level_off = goals.clone()
    one_level_off[0, 3] = goals[0, 3] + 1 if goals[0, 3] < 4 else goals[0, 3] - 1
    # Levels 1 - (1/4)/4 = 0.9375, parameters exact (1.0): 0.96875.
    assert float(env.reward_for(HybridAction(one_level_off, params.view(1, 2)))[0]) == (
        pytest.approx(0.96875)
    )


# ---------------------------------------------------------------- optimum and random baseline
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", IDS)
def test_optimal_action_earns_one_every_step(name: str, device: str) -> None:
    env = target(name, num_envs=16, device=device)
    obs = env.reset(seed=0)
    for t in range(2 * env.config.horizon):  # two episodes, across an autoreset
        step = env.step(env.optimal_action(obs))
        assert torch.equal(step.reward, torch.ones(16, device=device)), f"step {t}"
        obs = step.obs
    assert step.truncated.all()
    expected = torch.full((16,), env.optimal_return, device=device)
    assert torch.equal(step.info["episode_return"], expected)
    assert env.optimal_return == env.config.horizon == 8


@pytest.mark.parametrize("name", IDS)
def test_random_return_matches_monte_carlo(name: str) -> None:
    """The analytic expected return of uniform random actions (used in the docs) is right."""
    env = target(name, num_envs=4096)
    env.reset(seed=1)
    gen = torch.Generator().manual_seed(2)
    returns = torch.zeros(4096)
    for _ in range(env.config.horizon):
        step = env.step(env.action_space.sample(4096, generator=gen))
        returns += step.reward
    stderr = returns.std().item() / math.sqrt(4096)
    assert returns.mean().item() == pytest.approx(env.random_return, abs=5 * stderr)
    assert env.random_return < 0.7 * env.optimal_return


def test_random_return_values() -> None:
    # Worked by hand for the defaults: regime 8 (1/3 - 2/3); levels 8 (1 - 6/15);
    # both 8 * (0.6 + 1/3) / 2.
    assert target("TargetRegime-v0").random_return == pytest.approx(-8 / 3)
    assert target("TargetMultiDiscrete-v0").random_return == pytest.approx(4.8)
    assert target("TargetHybrid-v0").random_return == pytest.approx(8 * (0.6 + 1 / 3) / 2)


# ---------------------------------------------------------------- episodes and autoreset
@pytest.mark.parametrize("name", IDS)
def test_truncation_at_horizon_with_same_step_autoreset(name: str) -> None:
    env = target(name, num_envs=5, horizon=3)
    env.reset(seed=4)
    gen = torch.Generator().manual_seed(0)
    total = torch.zeros(5)
    for t in range(1, 4):
        step = env.step(env.action_space.sample(5, generator=gen))
        total += step.reward
        assert not step.terminated.any()
        assert bool(step.truncated.all()) == (t == 3)
    assert torch.equal(step.info["episode_length"], torch.full((5,), 3))
    torch.testing.assert_close(step.info["episode_return"], total)
    final, obs = step.info["final_obs"], step.obs
    assert torch.all(final[:, -1] == 1.0) and torch.all(obs[:, -1] == 0.0)  # step fraction
    assert not torch.equal(final[:, :-1], obs[:, :-1])  # the new episode has a new context
    # The statistics restart: one more step is the first of the new episode.
    step = env.step(env.action_space.sample(5, generator=gen))
    assert torch.equal(step.info["episode_length"], torch.ones(5, dtype=torch.int64))


@pytest.mark.parametrize("name", IDS)
def test_observations_lie_in_the_observation_space(name: str) -> None:
    env = target(name, num_envs=64)
    obs = env.reset(seed=0)
    for _ in range(env.config.horizon):
        assert obs.dtype == torch.float32 and obs.shape == (64, *env.obs_shape)
        assert all(env.observation_space.contains(row) for row in obs.numpy())
        obs = env.step(env.action_space.sample(64)).obs


# ---------------------------------------------------------------- seeding
def _obs_sequence(env: TargetEnv, seed: int | None, steps: int = 10) -> torch.Tensor:
    first = env.reset(seed=seed)
    action = env.optimal_action(first)  # a fixed action: obs must not depend on the policy
    return torch.stack([first] + [env.step(action).obs for _ in range(steps)])


@pytest.mark.parametrize("name", IDS)
def test_seeding_is_deterministic(name: str) -> None:
    env = target(name, num_envs=8)
    a = _obs_sequence(env, seed=11)
    b = _obs_sequence(target(name, num_envs=8), seed=11)
    c = _obs_sequence(env, seed=12)
    d = _obs_sequence(env, seed=None)  # continues the stream
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    assert not torch.equal(c[0], d[0])


# ---------------------------------------------------------------- invalid input
def test_invalid_discrete_action_names_component_and_value() -> None:
    env = target("TargetMultiDiscrete-v0", num_envs=2)
    env.reset(seed=0)
    levels = torch.tensor([[0, 1, 2, 3], [0, 1, 5, 3]])
    with pytest.raises(ValueError, match=r"component 2 \('level2'\).* 5; expected .*\[0, 4\]"):
        env.step(HybridAction(levels, torch.zeros(2, 0)))


def test_invalid_continuous_action_names_parameter_and_value() -> None:
    env = target("TargetRegime-v0", num_envs=1, param_dim=1)
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"parameter 1 \('x1_0'\).* 1\.5"):
        env.step(HybridAction(torch.tensor([[1]]), torch.tensor([[0.0, 1.5, 0.0]])))
    # Parameters of a regime that was not chosen are not checked (they are ignored).
    env.step(HybridAction(torch.tensor([[0]]), torch.tensor([[0.0, 1.5, 0.0]])))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"shape": "square"}, "shape"),
        ({"component_size": 1}, "component_size"),
        ({"horizon": 0}, "horizon"),
        ({"n_choices": 2.5}, "n_choices"),
    ],
)
def test_invalid_config_names_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=rf"TargetConfig\.{field} .*got"):
        make("TargetRegime-v0", **overrides)
    with pytest.raises(ValueError, match=rf"TargetConfig\.{field}"):
        TargetConfig(**overrides)


# ---------------------------------------------------------------- differentiability
@pytest.mark.parametrize("name", ["TargetRegime-v0", "TargetHybrid-v0"])
def test_reward_gradient_matches_finite_differences(name: str) -> None:
    env = target(name, num_envs=6, param_dim=3)
    assert env.differentiable
    obs = env.reset(seed=9)
    gen = torch.Generator().manual_seed(1)
    sample = env.action_space.sample(6, generator=gen)
    x = (sample.continuous.double() * 0.9).requires_grad_(True)
    reward = env.reward_for(HybridAction(sample.discrete, x))
    assert reward.dtype == torch.float64
    (grad,) = torch.autograd.grad(reward.sum(), x)
    h = 1e-6
    numeric = torch.zeros_like(x)
    with torch.no_grad():
        for j in range(x.shape[1]):  # each scenario's reward depends only on its own row
            e = torch.zeros_like(x)
            e[:, j] = h
            up = env.reward_for(HybridAction(sample.discrete, x + e))
            down = env.reward_for(HybridAction(sample.discrete, x - e))
            numeric[:, j] = (up - down) / (2 * h)
    torch.testing.assert_close(grad, numeric, atol=1e-7, rtol=1e-6)
    # Inactive parameters get exactly zero gradient.
    inactive = ~env.action_space.active_mask(sample.discrete)
    assert torch.all(grad[inactive] == 0)
    # The step itself keeps the graph: its reward is the same differentiable function.
    env.reset(seed=9)
    step = env.step(HybridAction(sample.discrete, x))
    (step_grad,) = torch.autograd.grad(step.reward.sum(), x)
    torch.testing.assert_close(step_grad, grad)
    assert obs.shape[0] == 6


def test_regime_gradient_by_hand() -> None:
    """d/dx_k [1{k=k*} - ||x_k - t_k||^2 / d] = -2 (x_k - t_k) / d on the chosen block."""
    env = target("TargetRegime-v0", num_envs=1, n_choices=2, param_dim=2)
    obs = env.reset(seed=0)
    targets = obs[:, 2:6].double()
    x = torch.zeros(1, 4, dtype=torch.float64, requires_grad=True)
    reward = env.reward_for(HybridAction(torch.tensor([[1]]), x))
    reward.sum().backward()
    assert x.grad is not None
    expected = torch.cat([torch.zeros(1, 2), -2 * (0 - targets[:, 2:4]) / 2], dim=1)
    torch.testing.assert_close(x.grad, expected.double())

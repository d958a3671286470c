"""Switched-LQR env: registry, configs, initial-state splits, seeding and input validation."""

from __future__ import annotations

import math
import warnings

import gymnasium
import pytest
import torch
import tyro
from gymnasium.utils.env_checker import check_env

import hybrid_toolkit.envs.families.lqr  # noqa: F401  (registers the ids)
from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.families.lqr import SwitchedLQRConfig, SwitchedLQREnv, initial_states
from hybrid_toolkit.spaces import HybridAction

IDS = ("SwitchedLQR-v0", "SwitchedLQR2D-v0")


def test_registered_defaults() -> None:
    env = make("SwitchedLQR-v0", num_envs=2)
    assert isinstance(env, SwitchedLQREnv) and env.differentiable
    assert (env.state_dim, env.n_modes, env.control_dim, env.horizon) == (3, 2, 3, 20)
    assert env.action_space.n_continuous == 6
    assert env.action_space.active_mask(torch.tensor([[1]])).tolist() == [[False] * 3 + [True] * 3]
    two_d = make("SwitchedLQR2D-v0")
    assert (two_d.state_dim, two_d.n_modes, two_d.control_dim) == (2, 2, 1)
    assert two_d.scenarios("dev").shape == (4096, 2)


def test_initial_state_splits() -> None:
    config = SwitchedLQRConfig(state_dim=4, num_train_scenarios=6, num_eval_scenarios=5)
    dev, train, test = (initial_states(config, s) for s in ("dev", "train", "test"))
    assert dev.shape == (5, 4) and train.shape == (6, 4) and test.shape == (5, 4)
    bound = 10.0 / math.sqrt(4)
    assert bool((dev.abs() <= bound).all()) and bool((test.abs() <= bound).all())
    assert torch.equal(dev, initial_states(config, "dev"))
    wide = SwitchedLQRConfig(state_dim=4, num_train_scenarios=1, num_eval_scenarios=11)
    assert torch.equal(initial_states(wide, "dev"), torch.cat([dev, train]))
    assert not torch.equal(dev, test)
    with pytest.raises(ValueError, match="split must be one of"):
        initial_states(config, "holdout")  # type: ignore[arg-type]


def test_fresh_resets_are_reproducible_and_in_range() -> None:
    env = make("SwitchedLQR-v0", num_envs=500, state_dim=4)
    first = env.reset(seed=1)
    assert torch.equal(first, env.reset(seed=1))
    assert not torch.equal(first, env.reset(seed=2))
    assert float(first.abs().max()) <= 5.0 and float(first.abs().max()) > 4.5


def test_fixed_scenarios_tile_and_time_feature() -> None:
    env = make("SwitchedLQR-v0", num_envs=4, observe_time=True)
    x0 = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    env.set_scenarios(x0)
    obs = env.reset()
    assert obs[:, :3].tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]] * 2
    assert obs[:, 3].tolist() == [0.0] * 4
    step = env.step(env.make_action(torch.zeros(4), torch.zeros(4, 3)))
    assert step.obs[:, 3].tolist() == pytest.approx([1 / 20] * 4)
    with pytest.raises(ValueError, match="multiple of the number of scenarios"):
        env.set_scenarios(torch.zeros(3, 3))


def test_autoreset_at_the_horizon() -> None:
    env = make("SwitchedLQR-v0", num_envs=2, horizon=2)
    env.reset(seed=0)
    zero = env.make_action(torch.zeros(2), torch.zeros(2, 3))
    assert not bool(env.step(zero).truncated.any())
    step = env.step(zero)
    assert bool(step.truncated.all()) and env.period == 0


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"n_modes": 4}, "n_modes must be <= state_dim=3"),
        ({"system": "paper_2d"}, "fixes state_dim=2 and n_modes=2"),
        ({"lambda_u": 0.0}, "lambda_u"),
        ({"instability": math.inf}, "instability"),
        ({"horizon": 0}, "horizon"),
        ({"state_clip": -1.0}, "state_clip"),
        ({"init_range": math.nan}, "init_range"),
        ({"system": "stochastic"}, "system"),
    ],
)
def test_invalid_configs_raise_naming_the_field(overrides: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make("SwitchedLQR-v0", **overrides)


def test_invalid_actions_raise() -> None:
    env = make("SwitchedLQR-v0", num_envs=2)
    env.reset(seed=0)
    controls = torch.zeros(2, 6)
    with pytest.raises(ValueError, match=r"expected an integer in \[0, 1\]"):
        env.step(HybridAction(torch.tensor([[0], [2]]), controls))
    bad = controls.clone()
    bad[1, 4] = math.inf  # mode 1's block of scenario 1
    with pytest.raises(ValueError, match=r"mode1/u1.*is inf; expected a finite value"):
        env.step(HybridAction(torch.tensor([[0], [1]]), bad))
    bad[1, 4] = math.nan
    with pytest.raises(ValueError, match="mode1/u1"):
        env.step(HybridAction(torch.tensor([[0], [1]]), bad))
    env.step(HybridAction(torch.tensor([[0], [0]]), bad))  # NaN in the unused block is fine


@pytest.mark.parametrize("name", IDS)
def test_gymnasium_env_checker_passes(name: str) -> None:
    env = gymnasium.make(f"hybrid_toolkit/{name}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unbounded controls are inherent to LQR
        check_env(env.unwrapped)


def test_config_parses_from_the_command_line() -> None:
    config = tyro.cli(SwitchedLQRConfig, args=["--state-dim", "6", "--n-modes", "3"])
    assert (config.state_dim, config.n_modes, config.system) == (6, 3, "generated")

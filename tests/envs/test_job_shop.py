"""Job shop: hand-checked wear/energy/reward steps, both energy models, 10^20 actions, errors."""

from __future__ import annotations

import math
import sys
import warnings
from typing import Any

import gymnasium
import pytest
import torch

import hybrid_toolkit.envs.families.job_shop  # noqa: F401  (registers JobShop-v0)
from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.families.job_shop import JobShopConfig, JobShopEnv
from hybrid_toolkit.spaces import HybridAction

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def job_shop(num_envs: int = 1, **overrides: Any) -> JobShopEnv:
    env = make("JobShop-v0", num_envs=num_envs, **overrides)
    assert isinstance(env, JobShopEnv)
    return env


def loads(*values: int, batch: int = 1) -> HybridAction:
    return HybridAction(torch.tensor([list(values)] * batch), torch.zeros(batch, 0))


def deterministic(**overrides: Any) -> JobShopEnv:
    """3 machines whose wear changes are fixed (+0.2 when loaded above 75, -0.1 below 50)."""
    env = job_shop(n_machines=3, wear_increase=(0.2, 0.2), wear_decrease=(0.1, 0.1), **overrides)
    env.reset(seed=0)
    env.rate = torch.tensor([[1.5, 1.2, 2.0]])
    env.wear = torch.tensor([[0.0, 0.3, 0.05]])
    return env


# ---------------------------------------------------------------- hand-checked steps
@pytest.mark.parametrize("model", ["fixed-base", "reference"])
def test_wear_energy_and_reward_by_hand(model: str) -> None:
    env = deterministic(energy_model=model)
    step = env.step(loads(80, 60, 10))
    # Machine 0: 80 > 75 wears (0 -> 0.2); energy 1.5 * 1.2 * 80 = 144, capped at 100.
    # Machine 1: 60 neither wears nor repairs (0.3); energy 1.2 * 1.3 * 60 = 93.6.
    # Machine 2: 10 < 50 repairs (0.05 - 0.1 -> 0, not negative); energy 2.0 * 1.0 * 10 = 20.
    # Reward: 3 * 150 - 213.6 - std(80, 60, 10) = 450 - 213.6 - sqrt(2600 / 3).
    assert step.info["energy"][0].tolist() == pytest.approx([100.0, 93.6, 20.0], rel=1e-6)
    assert step.reward.item() == pytest.approx(450 - 213.6 - math.sqrt(2600 / 3), rel=1e-6)
    rate = [100.0, 93.6, 20.0] if model == "reference" else [1.5, 1.2, 2.0]
    assert step.obs[0].tolist() == pytest.approx([*rate, 0.2, 0.3, 0.0], rel=1e-6)


def test_load_thresholds_are_strict() -> None:
    env = deterministic()
    env.wear = torch.tensor([[0.3, 0.3, 0.3]])
    env.step(loads(75, 76, 50))  # 75 and 50 change nothing; 76 wears
    assert env.wear[0].tolist() == pytest.approx([0.3, 0.5, 0.3])
    env.step(loads(49, 0, 100))  # 49 and 0 repair by 0.1
    assert env.wear[0].tolist() == pytest.approx([0.2, 0.4, 0.5])


def test_reference_energy_model_zeroes_energy_after_one_idle_step() -> None:
    # The reference code's quirk: consumption overwrites the rate, so 0 jobs -> 0 forever.
    env = job_shop(n_machines=5, energy_model="reference")
    env.reset(seed=0)
    assert env.step(loads(0, 0, 0, 0, 0)).reward.item() == 0.0
    for _ in range(3):
        step = env.step(loads(100, 100, 100, 100, 100))
        assert step.reward.item() == pytest.approx(5 * 300.0)
    fixed = job_shop(n_machines=5)
    fixed.reset(seed=0)
    fixed.step(loads(0, 0, 0, 0, 0))
    step = fixed.step(loads(100, 100, 100, 100, 100))  # base rate >= 1: energy stays capped
    assert step.reward.item() == pytest.approx(5 * 200.0)


def test_reset_draws_rates_in_range_and_clears_wear() -> None:
    env = job_shop(num_envs=2000)
    obs = env.reset(seed=0)
    rate, wear = obs[:, :10], obs[:, 10:]
    assert float(rate.min()) >= 1.0 and float(rate.max()) <= 2.0
    assert float(rate.mean()) == pytest.approx(1.5, abs=0.01)
    assert bool((wear == 0).all())


def test_episode_is_149_steps_and_truncated() -> None:
    env = job_shop(num_envs=2)
    env.reset(seed=0)
    for t in range(1, 150):
        step = env.step(loads(*[50] * 10, batch=2))
        assert bool(step.truncated.all()) == (t == 149)
        assert not bool(step.terminated.any())
    assert step.info["episode_length"].tolist() == [149, 149]
    assert bool((step.obs[:, 10:] == 0).all())  # reset in the same step


@pytest.mark.parametrize("device", DEVICES)
def test_same_seed_same_episode(device: str) -> None:
    def rollout(seed: int) -> torch.Tensor:
        env = job_shop(num_envs=4, device=device)
        gen = torch.Generator(device=env.device).manual_seed(1)
        rewards = []
        env.reset(seed=seed)
        for _ in range(10):
            rewards.append(env.step(env.action_space.sample(4, generator=gen)).reward)
        return torch.stack(rewards)

    assert torch.equal(rollout(5), rollout(5))
    assert not torch.equal(rollout(5), rollout(6))


# ---------------------------------------------------------------- 10^20 actions, errors
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_ten_machines_give_10_to_the_20_actions_without_enumeration() -> None:
    def rss_mib() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 / 2**20

    start = rss_mib()
    env = job_shop(num_envs=1024)
    assert env.action_space.log10_cardinality == pytest.approx(10 * math.log10(101))
    assert env.action_space.nvec.tolist() == [101] * 10
    env.reset(seed=0)
    gen = torch.Generator().manual_seed(0)
    for i in range(200):
        action = env.action_space.sample(1024, generator=gen)
        env.action_space.validate(action)
        env.step(action)
        if i == 20:  # after warm-up allocations
            warm = rss_mib()
    # Building, sampling, validating and stepping take a few MiB (a table of even 10^9 of the
    # 10^20 actions would take gigabytes), and nothing grows with the number of steps.
    assert warm - start < 64
    assert rss_mib() - warm < 32


@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        (
            [0] * 9 + [101],
            r"\(component 9 \('machine9'\)\) is 101; expected an integer in \[0, 100\]",
        ),
        ([-1] + [0] * 9, r"'machine0'.*-1"),
    ],
)
def test_invalid_actions_raise(values: list[int], pattern: str) -> None:
    env = job_shop()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=pattern):
        env.step(loads(*values))


@pytest.mark.parametrize(
    ("overrides", "pattern"),
    [
        (
            {"energy_model": "bugged"},
            r"energy_model must be one of \('fixed-base', 'reference'\).*'bugged'",
        ),
        ({"n_machines": 0}, r"n_machines must be an integer >= 1, got 0"),
        ({"wear_increase": (0.4, 0.05)}, r"wear_increase must be a range.*\(0.4, 0.05\)"),
        ({"low_load": 0.9}, r"low_load \(0.9\) must not exceed high_load \(0.75\)"),
        ({"energy_cap": -1.0}, r"energy_cap must be a finite float >= 0, got -1.0"),
    ],
)
def test_invalid_configs_raise(overrides: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        JobShopConfig(**overrides)


def test_gymnasium_env_checker_passes() -> None:
    pytest.importorskip("hybrid_toolkit.envs.adapters.gymnasium_env")
    from gymnasium.utils.env_checker import check_env

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        env = gymnasium.make("hybrid_toolkit/JobShop-v0")
        check_env(env.unwrapped)
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)

"""HyAR reaches the known optimum of the tiny Target envs."""

from __future__ import annotations

import pytest

import hybrid_toolkit as ht
from hybrid_toolkit.training import evaluate_policy


def evaluate(model: ht.HyAR, env_id: str) -> tuple[float, float]:
    eval_env = ht.make(env_id, num_envs=32)
    result = evaluate_policy(lambda o: model.act(o, deterministic=True), eval_env, 64, seed=123)
    return result.mean_reward, eval_env.optimal_return


def test_hyar_reaches_near_optimal_return_on_target_regime() -> None:
    # 2048 warm-up steps (256 random episodes), 500 VAE steps, then ~1000 TD3 updates.
    model = ht.HyAR("TargetRegime-v0", "target", seed=0, verbose=0).learn(6000)
    mean, optimum = evaluate(model, "TargetRegime-v0")
    assert mean >= 0.93 * optimum, f"HyAR reached {mean:.3f}, optimum is {optimum:.3f}"


# (env id, timesteps, fraction of the optimal return that must be reached)
SLOW_CASES = [
    ("TargetRegime-v0", 20_000, 0.97),
    ("TargetHybrid-v0", 40_000, 0.8),
    ("TargetMultiDiscrete-v0", 30_000, 0.7),
]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(("env_id", "steps", "fraction"), SLOW_CASES)
def test_hyar_longer_budgets(env_id: str, steps: int, fraction: float, seed: int) -> None:
    model = ht.HyAR(env_id, "target", seed=seed, verbose=0).learn(steps)
    mean, optimum = evaluate(model, env_id)
    assert mean >= fraction * optimum, f"{env_id}: HyAR reached {mean:.3f} of {optimum:.3f}"

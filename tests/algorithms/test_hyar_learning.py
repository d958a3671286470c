"""HyAR with longer budgets (slow); the short-budget case is in test_learning.py."""

from __future__ import annotations

import pytest

import hybrid_toolkit as ht
from hybrid_toolkit.training import evaluate_policy


def evaluate(model: ht.HyAR, env_id: str) -> tuple[float, float]:
    eval_env = ht.make(env_id, num_envs=32)
    result = evaluate_policy(lambda o: model.act(o, deterministic=True), eval_env, 64, seed=123)
    return result.mean_reward, eval_env.optimal_return


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

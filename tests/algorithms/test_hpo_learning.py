"""HPO reaches the known optimum of the tiny Target envs, and beats chance by far.

The Target envs draw a fresh context every step (a contextual bandit), so the rollout is not
trimmed and the discount is short; the rewards are differentiable in the continuous
parameters, so the pathwise gradient does the continuous part and the score function the
discrete one.
"""

from __future__ import annotations

import pytest

import hybrid_toolkit as ht
from hybrid_toolkit.training import evaluate_policy

BANDIT = {
    "num_envs": 64,
    "n_steps": 8,
    "buffer_periods": 0,
    "gamma": 0.5,
    "learning_rate": 5e-3,
    "n_epochs": 3,
    "ent_coef": 0.05,
    "min_ent_coef": 0.001,
    "discrete_hidden": (64,),
    "continuous_hidden": (64,),
    "value_hidden": (64,),
    "continuous_shift": 0.0,
}

# (env id, timesteps, fraction of the optimal return that must be reached)
CASES = [
    ("TargetRegime-v0", 64 * 8 * 30, 0.95),
    ("TargetHybrid-v0", 64 * 8 * 30, 0.90),
]


@pytest.mark.parametrize(("env_id", "steps", "fraction"), CASES)
def test_hpo_reaches_known_optimum(env_id: str, steps: int, fraction: float) -> None:
    model = ht.HPO(env_id, seed=0, verbose=0, **BANDIT)
    model.learn(steps)
    eval_env = ht.make(env_id, num_envs=32)
    result = evaluate_policy(lambda o: model.act(o, deterministic=True), eval_env, 64, seed=123)
    optimum = eval_env.optimal_return
    assert result.mean_reward >= fraction * optimum, (
        f"{env_id}: HPO reached {result.mean_reward:.3f}, optimum is {optimum:.3f}"
    )
    assert result.mean_reward > eval_env.random_return + 0.5 * (optimum - eval_env.random_return)

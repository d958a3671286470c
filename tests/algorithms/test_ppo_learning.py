"""PPO reaches the known optimum of the tiny Target envs (all three action-space shapes)."""

from __future__ import annotations

import pytest

import hybrid_toolkit as ht
from hybrid_toolkit.training import evaluate_policy

# The Target envs are contextual bandits (each step's context is fresh), so a short discount
# horizon is the natural setting: future rewards do not depend on the current action.
BANDIT = {"gamma": 0.5, "learning_rate": 1e-3}

# (env id, timesteps, fraction of the optimal return that must be reached)
CASES = [
    ("TargetRegime-v0", 40_000, 0.95),
    ("TargetMultiDiscrete-v0", 40_000, 0.95),
    ("TargetHybrid-v0", 40_000, 0.95),
]


@pytest.mark.parametrize(("env_id", "steps", "fraction"), CASES)
def test_ppo_reaches_known_optimum(env_id: str, steps: int, fraction: float) -> None:
    model = ht.PPO(env_id, seed=0, verbose=0, **BANDIT)
    model.learn(steps)
    eval_env = ht.make(env_id, num_envs=32)
    result = evaluate_policy(lambda o: model.act(o, deterministic=True), eval_env, 64, seed=123)
    optimum = eval_env.optimal_return
    assert result.mean_reward >= fraction * optimum, (
        f"{env_id}: PPO reached {result.mean_reward:.3f}, optimum is {optimum:.3f}"
    )


def test_random_policy_is_far_from_optimum() -> None:
    """The learning test is meaningful only if chance does not already pass it."""
    env = ht.make("TargetRegime-v0", num_envs=32)
    result = evaluate_policy(
        lambda o: env.action_space.sample(o.shape[0], generator=env.generator), env, 64, seed=1
    )
    assert result.mean_reward < 0.6 * env.optimal_return

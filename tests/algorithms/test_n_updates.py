"""``train/n_updates`` is the number of gradient steps so far, as in Stable-Baselines3: it only
grows, by the algorithm's steps per update, whatever the algorithm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import TINY_JRP, MetricsRecorder

import hybrid_toolkit as ht


def ppo() -> Any:
    net = {"policy_hidden": (8,), "value_hidden": (8,)}
    return ht.PPO(
        "TargetHybrid-v0", verbose=0, num_envs=4, n_steps=8, n_epochs=3, n_minibatches=2, **net
    )


def hpo() -> Any:
    env = ht.make("JointReplenishment-v0", 8, config=TINY_JRP, validate_actions=False)
    nets = {f"{k}_hidden": (8,) for k in ("discrete", "continuous", "value")}
    return ht.HPO(env, verbose=0, buffer_periods=2, n_epochs=3, n_minibatches=2, **nets)


def dgrl() -> Any:
    nets = {"actor_hidden": (8,), "critic_hidden": (8,)}
    return ht.DGRL("TargetHybrid-v0", verbose=0, gradient_steps=3, **nets)


def dnc() -> Any:
    nets = {"actor_hidden": (8,), "critic_hidden": (8,)}
    return ht.DNC("TargetMultiDiscrete-v0", verbose=0, num_envs=4, **nets)


def hyar() -> Any:
    return ht.HyAR(
        "TargetRegime-v0",
        verbose=0,
        num_envs=4,
        gradient_steps=2,
        vae_hidden=8,
        actor_hidden=(8,),
        critic_hidden=(8,),
        warmup_episodes=8,
        warmup_chunk=8,
        vae_pretrain_steps=2,
        vae_batch_size=16,
        lsc_samples=50,
        learning_starts=16,
        batch_size=16,
    )


CASES: dict[str, tuple[Callable[[], Any], int, int]] = {
    # name: (model, gradient steps per update, budget)
    "ppo": (ppo, 3 * 2, 4 * 32),
    "hpo": (hpo, 1 + (3 - 1) * 2, 4 * 8 * 12),
    "dgrl": (dgrl, 3, 2000),
    "dnc": (dnc, 1, 200),
    "hyar": (hyar, 2, 400),
}


@pytest.mark.parametrize("name", list(CASES))
def test_n_updates_counts_every_gradient_step_so_far(name: str) -> None:
    make, per_update, budget = CASES[name]
    recorder = MetricsRecorder()
    make().learn(budget, callback=recorder)
    counts = [m["train/n_updates"] for m in recorder.metrics if "train/n_updates" in m]
    assert len(counts) >= 3, recorder.metrics[-1]
    # every update adds its gradient steps to the count of the ones before
    assert counts == [per_update * (i + 1) for i in range(len(counts))]

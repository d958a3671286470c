"""The tutorial's own simulator (docs/examples/hpo_custom_simulator.py): HPO learns a policy as
good as the tuned hand-written refill rule, far better than doing nothing."""

from __future__ import annotations

import runpy
from pathlib import Path

import torch

from hybrid_toolkit.spaces import HybridAction

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "hpo_custom_simulator.py"


def test_tutorial_hpo_matches_the_tuned_refill_rule() -> None:
    tutorial = runpy.run_path(str(EXAMPLE))  # defines the env and helpers, trains nothing
    model = tutorial["train"]()
    learned = tutorial["mean_cost"](lambda obs: model.act(obs, deterministic=True))
    rule, _, _ = tutorial["best_refill_rule"]()
    assert learned <= 1.1 * rule
    assert learned < 0.2 * tutorial["mean_cost"](tutorial["never_pump"])


def test_tutorial_env_is_differentiable_in_the_rate() -> None:
    env = runpy.run_path(str(EXAMPLE))["TankEnv"](num_envs=3)
    env.reset(seed=0)
    rate = torch.full((3, 1), 0.5, requires_grad=True)
    pump_on = torch.ones(3, 1, dtype=torch.long)
    step = env.step(HybridAction(pump_on, rate))
    (grad,) = torch.autograd.grad(step.reward.sum(), rate, retain_graph=True)
    level = step.obs[:, 0].detach()
    # reward = -((level - 1)^2 + 2 + 0.1·rate): d reward / d rate = -2 (level - 1) - 0.1
    torch.testing.assert_close(grad[:, 0], -2 * (level - 1) - 0.1)
    # With the pump off this step's rate is inactive: the reward does not depend on it (it still
    # depends on the previous step's rate, through the level).
    idle_rate = torch.full((3, 1), 0.5, requires_grad=True)
    off = env.step(HybridAction(torch.zeros(3, 1, dtype=torch.long), idle_rate))
    idle_grad, through_level = torch.autograd.grad(off.reward.sum(), [idle_rate, rate])
    assert bool((idle_grad == 0).all())
    assert bool((through_level != 0).all())

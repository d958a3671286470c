"""Fuzzing ``env.step`` of every registered environment with malformed and valid actions.

A malformed action (wrong shapes, dtypes or batch size, out-of-range indices, NaN/inf or
out-of-bounds active parameters, not a ``HybridAction``) must be refused with a clear error
naming the action; a valid random action must be accepted. A 65,536-scenario batch steps.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import pytest
import torch
from fuzz_outcomes import FUZZ, check_outcome
from hypothesis import given
from hypothesis import strategies as st

import hybrid_toolkit as ht
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.spaces import HybridAction, HybridSpace

B = 4
DEFECTS = [
    "discrete index too high",
    "discrete index negative",
    "discrete float dtype",
    "discrete wrong width",
    "continuous wrong width",
    "batch too small",
    "batch too large",
    "active parameter NaN",
    "active parameter inf",
    "active parameter out of bounds",
    "not a HybridAction",
]


@cache
def env_of(name: str) -> HybridEnv:
    env = ht.make(name, num_envs=B, device="cpu")
    env.reset(seed=0)
    return env


def applicable(space: HybridSpace, defect: str, action: HybridAction) -> bool:
    """Whether ``defect`` can be given to ``action`` (some need a continuous part)."""
    if defect == "discrete index too high" or defect == "discrete index negative":
        return space.n_discrete > 0
    if defect == "continuous wrong width" or defect.startswith("active parameter"):
        if not space.n_continuous:
            return False
        if defect == "active parameter out of bounds":
            finite = torch.isfinite(space.low) | torch.isfinite(space.high)
            return bool((space.active_mask(action.discrete) & finite).any())
        return bool(space.active_mask(action.discrete).any())
    return True


def corrupt(space: HybridSpace, action: HybridAction, defect: str) -> Any:
    d, c = action.discrete.clone(), action.continuous.clone()
    if defect == "discrete index too high":
        d[0, -1] = space.discrete[-1].n
    elif defect == "discrete index negative":
        d[-1, 0] = -1
    elif defect == "discrete float dtype":
        return HybridAction(d.double(), c)
    elif defect == "discrete wrong width":
        return HybridAction(torch.cat([d, torch.zeros(B, 1, dtype=torch.long)], dim=1), c)
    elif defect == "continuous wrong width":
        return HybridAction(d, c[:, :-1])
    elif defect in ("batch too small", "batch too large"):
        return action[: B - 1] if defect == "batch too small" else HybridAction.cat([action] * 2)
    elif defect == "not a HybridAction":
        return {"discrete": d, "continuous": c}
    else:
        mask = space.active_mask(d)
        if defect == "active parameter out of bounds":
            mask &= torch.isfinite(space.low) | torch.isfinite(space.high)
        row, j = (int(v) for v in torch.nonzero(mask)[0])
        if defect == "active parameter out of bounds":
            low, high = float(space.low[j]), float(space.high[j])
            c[row, j] = high + 1.0 + abs(high) if math.isfinite(high) else low - 1.0 - abs(low)
        else:
            c[row, j] = math.nan if defect == "active parameter NaN" else -math.inf
    return HybridAction(d, c)


@pytest.mark.parametrize("name", ht.list_envs())
@FUZZ
@given(seed=st.integers(0, 2**16), defect=st.one_of(st.none(), st.sampled_from(DEFECTS)))
def test_env_step_refuses_malformed_actions(name: str, seed: int, defect: str | None) -> None:
    env = env_of(name)
    space = env.action_space
    action = space.sample(B, generator=torch.Generator().manual_seed(seed))
    if defect is not None and not applicable(space, defect, action):
        defect = None
    bad = corrupt(space, action, defect) if defect else action
    step = check_outcome(
        "env.step(action), every registered env",
        lambda: env.step(bad),
        valid=defect is None,
        names=["action", "HybridAction"],
    )
    if step is not None:
        assert step.obs.shape == (B, *env.obs_shape)
        assert step.reward.shape == (B,)


def test_a_65536_scenario_batch_steps() -> None:
    env = ht.make("JointReplenishment-v0", num_envs=65_536, device="cpu")
    obs = env.reset(seed=0)
    assert obs.shape[0] == 65_536
    generator = torch.Generator().manual_seed(0)
    for _ in range(3):
        step = env.step(env.action_space.sample(65_536, generator=generator))
        assert step.obs.shape[0] == 65_536 and torch.isfinite(step.reward).all()

"""Reference policies of Platform: a run-then-jump heuristic and a rollout planner around it.

Platform's macro-actions make a few facts exact (without noise): a run from full speed covers
about 69 units; a jump taken at horizontal speed ``v`` flies ``5 v (1 - 0.99^N)`` units, with
``N = 144`` frames for a hop (peak height 103) and ``N = 104`` for a leap (peak 72.5); a landing
stops the player. So the course is: build up speed, jump from near an edge, and time the hops so
the patrolling enemies pass underneath (a hop is high enough, a leap barely).
"""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.envs.families.platform import physics as ph
from hybrid_toolkit.envs.families.platform.env import PlatformEnv
from hybrid_toolkit.spaces import HybridAction

HOP_FLIGHT = 5.0 * (1.0 - 0.99**144)
"""Hop distance per unit of take-off speed (noise-free)."""
LANDING_MARGIN = 12.0
"""How far past the next platform's left corner a planned landing must be."""

RUN_PARAMS = (0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.5, 15.0, 17.5, 20.0, 25.0, 30.0)
HOP_PARAMS = (0.0, 200.0, 400.0, 560.0, 720.0)
LEAP_PARAMS = (150.0, 300.0, 430.0)


def candidate_actions(device: torch.device) -> tuple[Tensor, Tensor]:
    """The planner's first actions: ``(choice [C], native parameter [C])``, 20 of them."""
    choices, params = [], []
    for choice, grid in ((ph.RUN, RUN_PARAMS), (ph.HOP, HOP_PARAMS), (ph.LEAP, LEAP_PARAMS)):
        choices += [choice] * len(grid)
        params += list(grid)
    return (
        torch.tensor(choices, dtype=torch.int64, device=device),
        torch.tensor(params, dtype=torch.float64, device=device),
    )


def run_then_hop(state: ph.PlatformState) -> tuple[Tensor, Tensor]:
    """The base heuristic: run at full power, hop at full power once the hop reaches the next
    platform (or the next run would carry the player over the edge).

    Returns:
        ``(choice [B], native parameter [B])``.
    """
    x, vx = state.x, state.vx
    left = torch.tensor(ph.PLATFORM_X, dtype=x.dtype, device=x.device)
    right = left + torch.tensor(ph.PLATFORM_WIDTH, dtype=x.dtype, device=x.device)
    index = (x >= ph.PLATFORM_X[1]).long() + (x >= ph.PLATFORM_X[2]).long()
    next_left = torch.cat([left[1:], left.new_full((1,), 1e9)])[index]
    takeoff = torch.clamp(vx + 30.0, max=ph.MAX_DX_ON)
    lands = x + HOP_FLIGHT * takeoff >= next_left - ph.SIZE_X + LANDING_MARGIN
    overruns = x + 70.0 > right[index]
    last = index == 2
    hop = ~last & (lands | overruns)
    choice = torch.where(hop, ph.HOP, ph.RUN)
    param = torch.where(hop, ph.PARAMETER_MAX[ph.HOP], ph.PARAMETER_MAX[ph.RUN])
    return choice, param.to(x.dtype)


class PlatformRolloutPolicy:
    """One-step improvement of :func:`run_then_hop` by noise-free rollouts.

    For each of the 20 candidate first actions (:func:`candidate_actions`) the planner simulates
    that action from the env's exact state (including the enemy not in the observation) and then
    :func:`run_then_hop` until the episode ends or ``horizon`` steps pass, without noise. It
    plays the first action of the best rollout: reaching the end beats everything (sooner is
    better), dying is worst, otherwise more progress is better; ties go to the earlier candidate.

    Args:
        env: The environment it controls (its state is read, never changed).
        horizon: Rollout length in macro steps after the first action.
    """

    def __init__(self, env: PlatformEnv, horizon: int = 10) -> None:
        self.env = env
        self.horizon = horizon
        self.choices, self.params = candidate_actions(env.device)

    def rollout_values(self, state: ph.PlatformState) -> Tensor:
        """``[B, C]`` value of each candidate first action."""
        n, b = self.choices.numel(), state.batch_size
        max_frames = self.env.config.max_frames
        out = ph.macro_step(
            state.repeat_interleave(n),
            self.choices.repeat(b),
            self.params.repeat(b),
            None,
            0.0,
            max_frames,
        )
        current, ended, success = out.state, out.terminal, out.success
        steps = torch.ones(b * n, dtype=torch.float64, device=self.env.device)
        for _ in range(self.horizon):
            if bool(ended.all()):
                break
            choice, param = run_then_hop(current)
            out = ph.macro_step(current, choice, param, None, 0.0, max_frames)
            current = out.state.where(ended, current)
            success = success | (~ended & out.success)
            steps = steps + (~ended).double()
            ended = ended | out.terminal
        progress = current.x / ph.TOTAL_WIDTH
        died = ended & ~success
        value = torch.where(
            success, 3.0 - 0.01 * steps, torch.where(died, progress - 2.0, progress)
        )
        return value.reshape(b, n)

    def __call__(self, obs: Tensor) -> HybridAction:
        """The planner's actions for the env's current state (``obs`` only sets the batch)."""
        best = self.rollout_values(self.env.state).argmax(dim=1)
        choice = self.choices[best]
        continuous = torch.zeros(choice.numel(), 3, dtype=torch.float64, device=self.env.device)
        continuous.scatter_(1, choice.unsqueeze(1), self.params[best].unsqueeze(1))
        return self.env.scaling.from_native(HybridAction(choice.unsqueeze(1), continuous))

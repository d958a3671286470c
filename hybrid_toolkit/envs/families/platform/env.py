"""`PlatformEnv`: the batched Platform benchmark (run / hop / leap with one parameter each)."""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.envs.families.platform import physics as ph
from hybrid_toolkit.envs.families.platform.config import PlatformConfig
from hybrid_toolkit.envs.parameter_scaling import ParameterScaling
from hybrid_toolkit.spaces import HybridAction, HybridSpace

# Observation scaling of the reference: (features + shift) / scale lies in [0, 1].
_SHIFT = (ph.SIZE_X, 0.0, 0.0, ph.ENEMY_SPEED, 0.0, 0.0, 0.0, 0.0, 0.0)
_SCALE = (
    ph.TOTAL_WIDTH + ph.SIZE_X,
    ph.MAX_DX,
    ph.TOTAL_WIDTH,
    2.0 * ph.ENEMY_SPEED,
    max(ph.PLATFORM_WIDTH),
    max(ph.PLATFORM_WIDTH),
    max(ph.GAPS),
    ph.TOTAL_WIDTH,
    1.0,
)
OBSERVATION_NAMES = (
    "player_x",
    "player_dx",
    "enemy_x",
    "enemy_dx",
    "platform_width",
    "next_platform_width",
    "gap",
    "platform_x",
    "height_difference",
)
"""The 9 observed features, each scaled into ``[0, 1]`` as in the reference."""


def native_action_space() -> HybridSpace:
    """Run, hop, leap, each with one parameter in its native range (lower bounds 0)."""
    return HybridSpace.parameterized(
        [1, 1, 1],
        low=0.0,
        high=list(ph.PARAMETER_MAX),
        name="action",
        continuous_names=[f"{name}_distance" for name in ph.ACTION_NAMES],
    )


class PlatformEnv(HybridEnv):
    """The Platform domain: run and jump across three platforms past two patrolling enemies.

    One step is one macro-action (see :mod:`~hybrid_toolkit.envs.families.platform.physics`):
    ``run(d)`` accelerates for 1 s, ``hop(d)`` (high) and ``leap(d)`` (low) jump aiming to
    cover ``d`` and last until landing. The reward is the horizontal progress divided by the
    total width, so the return is the fraction of the course covered and exactly 1 at the end.
    The episode terminates on touching an enemy, falling into a gap, or reaching the end
    (``info["success"]``), and is truncated after ``max_steps`` steps.

    The observation has the reference's 9 features in ``[0, 1]`` (see
    :data:`OBSERVATION_NAMES`); the enemy shown is the one on the player's current platform.
    ``info["frames"]`` holds the number of 0.05 s frames each macro-action took (the second
    element of the reference's observation tuple).

    Args:
        config: The configuration (defaults to the published environment).
        num_envs: Batch size ``B``.
        device: Torch device.
        validate_actions: Check every action against the action space.
    """

    def __init__(
        self,
        config: PlatformConfig | None = None,
        num_envs: int = 1,
        device: torch.device | str = "cpu",
        validate_actions: bool = True,
    ) -> None:
        super().__init__(num_envs=num_envs, device=device, validate_actions=validate_actions)
        self.config = config if config is not None else PlatformConfig()
        self.scaling = ParameterScaling(native_action_space(), self.config.action_scale)
        self.action_space = self.scaling.action_space
        self.observation_space = gymnasium.spaces.Box(0.0, 1.0, shape=(9,), dtype=np.float32)
        self.state = ph.PlatformState.initial(num_envs, self.device)
        """The simulator state (float64); may be set directly, e.g. to test a transition."""
        self.elapsed = torch.zeros(num_envs, dtype=torch.int64, device=self.device)
        """``[B]`` macro steps taken in the current episode."""
        self._shift = torch.tensor(_SHIFT, dtype=torch.float64, device=self.device)
        self._scale = torch.tensor(_SCALE, dtype=torch.float64, device=self.device)

    # ---------------------------------------------------------------- observation
    def features(self, state: ph.PlatformState) -> Tensor:
        """The 9 unscaled features of ``state`` (float64 ``[B, 9]``)."""
        second = state.x > ph.PLATFORM_X[1]
        enemy_x = torch.where(second, state.enemy_x[:, 1], state.enemy_x[:, 0])
        enemy_dx = torch.where(second, state.enemy_dx[:, 1], state.enemy_dx[:, 0])
        # The platform the player is over (or just passed): boundaries at the next platform.
        w1, w2, w3 = ph.PLATFORM_WIDTH
        g1, g2 = ph.GAPS
        table = torch.tensor(
            [
                [w1, w2, g1, ph.PLATFORM_X[0], 0.0],
                [w2, w3, g2, ph.PLATFORM_X[1], 0.0],
                [w3, 0.0, 0.0, ph.PLATFORM_X[2], 0.0],
            ],
            dtype=torch.float64,
            device=state.x.device,
        )
        index = (state.x >= ph.PLATFORM_X[1]).long() + (state.x >= ph.PLATFORM_X[2]).long()
        basic = torch.stack([state.x, state.vx, enemy_x, enemy_dx], dim=1)
        return torch.cat([basic, table[index]], dim=1)

    def observe(self, state: ph.PlatformState) -> Tensor:
        """The scaled float32 observation ``[B, 9]`` of ``state``."""
        scaled = (self.features(state) + self._shift) / self._scale
        return scaled.clamp(0.0, 1.0).to(torch.float32)

    # ---------------------------------------------------------------- HybridEnv
    def _reset_envs(self, mask: Tensor) -> Tensor:
        # The start is deterministic; randomness enters through the frame noise.
        start = ph.PlatformState.initial(self.num_envs, self.device)
        self.state = start.where(mask, self.state)
        self.elapsed = torch.where(mask, 0, self.elapsed)
        return self.observe(self.state)

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        cfg = self.config
        choice = action.discrete[:, 0]
        params = self.scaling.to_native(action.continuous)
        param = params.gather(1, choice.unsqueeze(1)).squeeze(1)
        out = ph.macro_step(
            self.state, choice, param, self.generator, cfg.noise_scale, cfg.max_frames
        )
        self.state = out.state
        self.elapsed = self.elapsed + 1
        truncated = (self.elapsed >= cfg.max_steps) & ~out.terminal
        info = {"success": out.success, "frames": out.frames, "frame_capped": out.capped}
        reward = out.reward.to(torch.float32)
        return self.observe(self.state), reward, out.terminal, truncated, info

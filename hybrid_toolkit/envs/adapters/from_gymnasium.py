"""Any gymnasium env with a convertible action space → a batched :class:`HybridEnv`.

The action space is imported with
:func:`~hybrid_toolkit.spaces.gymnasium_conversion.from_gymnasium` (our ``Dict``, gym-platform
``Tuple(Discrete, Tuple(Box, …))``, gym-hybrid ``Tuple(Discrete, Box)``, ``Discrete``,
``MultiDiscrete``, ``Box``), actions travel back in the env's own convention, and observations
become float32 tensors on the chosen device. The result is not differentiable: gradients cannot
flow through a numpy simulator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium
import numpy as np
import torch
from gymnasium.vector import AutoresetMode, SyncVectorEnv, VectorEnv
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.spaces.gymnasium_actions import action_to_gymnasium
from hybrid_toolkit.spaces.gymnasium_conversion import detect_convention, from_gymnasium
from hybrid_toolkit.spaces.hybrid_space import ActivationMap


class GymnasiumToHybridEnv(HybridEnv):
    """A gymnasium vector env (or a list of env factories) as a batched :class:`HybridEnv`.

    The vector env must use ``AutoresetMode.SAME_STEP`` (the protocol's own semantics); a list
    of factories is wrapped in a ``SyncVectorEnv`` in that mode. Seeding goes to the gymnasium
    env: ``reset(seed=s)`` calls ``vector_env.reset(seed=s)`` (sub-env ``i`` gets ``s + i``).

    Args:
        env: A gymnasium ``VectorEnv`` in SAME_STEP mode, or a sequence of callables each
            returning a ``gymnasium.Env``.
        device: Torch device of the returned tensors.
        validate_actions: Check every action against ``action_space``.
        activation: Activation map for action spaces that cannot express one (gym-hybrid
            ``Tuple(Discrete, Box)``, ``Dict``); see ``from_gymnasium``.

    Snapshots: the gymnasium env's internals (numpy state, its own random generators) are out
    of reach, so :meth:`state_dict` is empty and ``exact_snapshot`` is False. An algorithm
    resumed from a checkpoint on such an env resets it (re-seeded with the algorithm's seed)
    instead of continuing mid-episode; the continued run is therefore not bit-identical to an
    uninterrupted one, and loading the snapshot warns.

    Raises:
        ValueError: If the vector env uses another autoreset mode.
        TypeError: If the action space does not convert or the observation space is not a
            ``Box``.
    """

    differentiable = False
    exact_snapshot = False

    def __init__(
        self,
        env: VectorEnv | Sequence[Callable[[], gymnasium.Env[Any, Any]]],
        device: torch.device | str = "cpu",
        validate_actions: bool = True,
        activation: ActivationMap | None = None,
    ) -> None:
        if not isinstance(env, VectorEnv):
            env = SyncVectorEnv(list(env), autoreset_mode=AutoresetMode.SAME_STEP)
        mode = env.metadata.get("autoreset_mode")
        if mode != AutoresetMode.SAME_STEP:
            raise ValueError(
                f"GymnasiumToHybridEnv needs a vector env with autoreset_mode=SAME_STEP, got "
                f"{mode!r}; build it with autoreset_mode=gymnasium.vector.AutoresetMode.SAME_STEP"
            )
        obs_space = env.single_observation_space
        if not isinstance(obs_space, gymnasium.spaces.Box):
            raise TypeError(
                f"GymnasiumToHybridEnv needs a Box observation space, got {obs_space}; flatten "
                "it first (gymnasium.wrappers.FlattenObservation)"
            )
        super().__init__(num_envs=env.num_envs, device=device, validate_actions=validate_actions)
        self.vector_env = env
        self.convention = detect_convention(env.single_action_space)
        self.action_space = from_gymnasium(env.single_action_space, activation=activation)
        self.observation_space = gymnasium.spaces.Box(
            low=obs_space.low.astype(np.float32),
            high=obs_space.high.astype(np.float32),
            dtype=np.float32,
        )
        self._obs = torch.zeros(self.num_envs, *self.obs_shape, device=self.device)
        self._reset_seed: int | None = None
        self._full_reset = False

    def state_dict(self) -> dict[str, Any]:
        """Empty: the wrapped gymnasium env cannot be snapshotted (see the class docstring)."""
        return {}

    def _tensor(self, array: Any) -> Tensor:
        return torch.as_tensor(np.asarray(array, dtype=np.float32), device=self.device)

    def reset(self, *, seed: int | None = None) -> Tensor:
        """Reset every sub-environment (``seed`` is passed to the gymnasium vector env)."""
        self._reset_seed, self._full_reset = seed, True
        try:
            return super().reset(seed=seed)
        finally:
            self._full_reset = False

    def _reset_envs(self, mask: Tensor) -> Tensor:
        # The gymnasium vector env already reset ended sub-envs inside its own step (SAME_STEP),
        # so outside a full reset the cached observations are the right answer.
        if self._full_reset:
            obs, _ = self.vector_env.reset(seed=self._reset_seed)
            self._obs = self._tensor(obs)
        return self._obs

    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        value = action_to_gymnasium(self.action_space, action, self.convention, batched=True)
        obs, reward, terminated, truncated, infos = self.vector_env.step(value)
        final = np.array(obs, dtype=np.float32, copy=True)
        if "final_obs" in infos:
            ended = np.flatnonzero(infos["_final_obs"])
            final[ended] = np.stack([infos["final_obs"][i] for i in ended])
        self._obs = self._tensor(obs)
        return (
            self._tensor(final),
            self._tensor(reward),
            torch.as_tensor(np.asarray(terminated, dtype=np.bool_), device=self.device),
            torch.as_tensor(np.asarray(truncated, dtype=np.bool_), device=self.device),
            {"gym_info": infos},
        )

    def close(self) -> None:
        """Close the gymnasium vector env."""
        self.vector_env.close()

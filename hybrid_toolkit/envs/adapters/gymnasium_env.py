"""Batched :class:`HybridEnv` → gymnasium ``VectorEnv`` and single ``Env`` (numpy at the boundary).

The action space is the native export of ``to_gymnasium`` (``hybrid_toolkit.spaces``):
``Dict(discrete=MultiDiscrete, continuous=Box)``, batched by ``gymnasium.vector.utils.batch_space``
for the vector env.

* :class:`HybridToGymnasiumVectorEnv` keeps the env's **same-step autoreset** and says so in
  ``metadata["autoreset_mode"] = AutoresetMode.SAME_STEP``: where a sub-environment ended,
  ``infos["final_obs"]`` (an object array, ``None`` elsewhere, mask ``infos["_final_obs"]``) holds
  the observation it ended on and ``infos["final_info"]`` (mask ``infos["_final_info"]``) the info
  of that last step, exactly as gymnasium's own vector envs lay them out.
* :class:`HybridToGymnasiumEnv` wraps a one-scenario env as a plain ``gymnasium.Env``: the
  observation an episode ends on is returned by ``step`` and the caller calls ``reset()``.

These classes are the entry points of every ``hybrid_toolkit/<Name>-v0`` gymnasium id, through
:func:`make_gymnasium_env` (``gymnasium.make``) and :func:`make_gymnasium_vector_env`
(``gymnasium.make_vec``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, SupportsFloat

import gymnasium
import numpy as np
import torch
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space
from torch import Tensor

from hybrid_toolkit.envs.base import HybridEnv, Step
from hybrid_toolkit.envs.registry import make
from hybrid_toolkit.spaces.gymnasium_actions import action_from_gymnasium
from hybrid_toolkit.spaces.gymnasium_conversion import to_gymnasium

# Entries HybridEnv.step always adds to info; the adapters translate them explicitly.
_STANDARD_INFO = ("final_obs", "episode_return", "episode_length")


def tensor_to_numpy(tensor: Tensor) -> np.ndarray:
    """A fresh numpy copy of ``tensor`` (detached, on the CPU).

    Copying matters: a CPU tensor's ``numpy()`` shares its memory, and gymnasium and SB3 users
    keep what an env returns.
    """
    return np.array(tensor.detach().cpu().numpy(), copy=True)


def _single_seed(seed: int | Sequence[int | None] | None) -> int | None:
    """One seed for the whole batch (one ``torch.Generator`` drives every scenario).

    A list (gymnasium's per-sub-env form) contributes its first element, the same seed a
    gymnasium ``SyncVectorEnv`` gives its first sub-environment.
    """
    if seed is None or isinstance(seed, int):
        return seed
    if isinstance(seed, Sequence) and len(seed) > 0:
        first = seed[0]
        if first is None or isinstance(first, int):
            return first
    raise ValueError(f"seed must be an int, a list of ints or None, got {seed!r}")


def _extra_info(step: Step, num_envs: int) -> dict[str, np.ndarray]:
    """Env-specific batched info entries (tensors with a leading batch dim) as numpy arrays."""
    return {
        key: tensor_to_numpy(value)
        for key, value in step.info.items()
        if key not in _STANDARD_INFO
        and isinstance(value, Tensor)
        and value.dim() > 0
        and value.shape[0] == num_envs
    }


class HybridToGymnasiumVectorEnv(gymnasium.vector.VectorEnv):
    """A batched :class:`HybridEnv` as a gymnasium ``VectorEnv`` with same-step autoreset.

    Args:
        env: The batched environment; its ``num_envs`` becomes the vector env's.

    Examples:
        >>> from hybrid_toolkit.envs import make
        >>> envs = HybridToGymnasiumVectorEnv(make("TargetRegime-v0", num_envs=4))
        >>> obs, info = envs.reset(seed=0)
        >>> obs, reward, terminated, truncated, info = envs.step(envs.action_space.sample())
    """

    # gymnasium declares metadata as a plain class attribute; ClassVar would clash with it.
    metadata: dict[str, Any] = {  # noqa: RUF012
        "autoreset_mode": AutoresetMode.SAME_STEP,
        "render_modes": [],
    }

    def __init__(self, env: HybridEnv) -> None:
        self.hybrid_env = env
        self.num_envs = env.num_envs
        self.single_action_space = to_gymnasium(env.action_space)
        self.action_space = batch_space(self.single_action_space, env.num_envs)
        self.single_observation_space = env.observation_space
        self.observation_space = batch_space(env.observation_space, env.num_envs)

    def reset(
        self,
        *,
        seed: int | Sequence[int | None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Reset every scenario; ``seed`` re-seeds the env's generator (a list: its first entry).

        ``options`` are accepted for API compatibility and ignored.
        """
        first = _single_seed(seed)
        super().reset(seed=first)
        return tensor_to_numpy(self.hybrid_env.reset(seed=first)), {}

    def step(
        self, actions: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Step every scenario with a batched ``{"discrete", "continuous"}`` action."""
        env = self.hybrid_env
        step = env.step(action_from_gymnasium(env.action_space, actions, device=env.device))
        terminated = tensor_to_numpy(step.terminated).astype(np.bool_)
        truncated = tensor_to_numpy(step.truncated).astype(np.bool_)
        reward = tensor_to_numpy(step.reward).astype(np.float64)
        return (
            tensor_to_numpy(step.obs),
            reward,
            terminated,
            truncated,
            self._infos(step, terminated | truncated),
        )

    def _infos(self, step: Step, done: np.ndarray) -> dict[str, Any]:
        # Same layout as gymnasium's SyncVectorEnv in SAME_STEP mode: env-specific entries of
        # ongoing scenarios at the top level; those of ended scenarios, with their episode
        # statistics, under "final_info".
        extra = _extra_info(step, self.num_envs)
        infos: dict[str, Any] = {}
        for key, value in extra.items():
            infos[key], infos[f"_{key}"] = value, ~done
        if not done.any():
            return infos
        final_obs = tensor_to_numpy(step.info["final_obs"])
        boxed = np.full(self.num_envs, None, dtype=object)
        for i in np.flatnonzero(done):
            boxed[i] = final_obs[i]
        final_info: dict[str, Any] = {
            "episode_return": tensor_to_numpy(step.info["episode_return"]),
            "episode_length": tensor_to_numpy(step.info["episode_length"]),
            **extra,
        }
        for key in list(final_info):
            final_info[f"_{key}"] = done.copy()
        infos["final_obs"], infos["_final_obs"] = boxed, done.copy()
        infos["final_info"], infos["_final_info"] = final_info, done.copy()
        return infos

    def close_extras(self, **kwargs: Any) -> None:
        """Close the wrapped batched env."""
        self.hybrid_env.close()


class HybridToGymnasiumEnv(gymnasium.Env[np.ndarray, dict[str, Any]]):
    """A one-scenario :class:`HybridEnv` as a plain ``gymnasium.Env``.

    There is no autoreset at this level: when an episode ends, ``step`` returns the observation
    it ended on (``info`` then holds ``episode_return`` and ``episode_length``) and the next call
    must be ``reset()``.

    Args:
        env: A batched environment with ``num_envs == 1``.
    """

    metadata: dict[str, Any] = {"render_modes": []}  # noqa: RUF012

    def __init__(self, env: HybridEnv) -> None:
        if env.num_envs != 1:
            raise ValueError(
                f"HybridToGymnasiumEnv needs an env with num_envs=1, got num_envs={env.num_envs}; "
                "use HybridToGymnasiumVectorEnv for batches"
            )
        self.hybrid_env = env
        self.action_space = to_gymnasium(env.action_space)
        self.observation_space = env.observation_space
        self._needs_reset = True

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start an episode; ``seed`` re-seeds the env's generator (``options`` are ignored)."""
        super().reset(seed=seed)
        obs = self.hybrid_env.reset(seed=seed)
        self._needs_reset = False
        return tensor_to_numpy(obs[0]), {}

    def step(
        self, action: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict[str, Any]]:
        """Apply one ``{"discrete", "continuous"}`` action."""
        if self._needs_reset:
            raise RuntimeError(
                "HybridToGymnasiumEnv.step was called before reset() or after the episode ended; "
                "call reset() first"
            )
        env = self.hybrid_env
        step = env.step(action_from_gymnasium(env.action_space, action, device=env.device))
        terminated, truncated = bool(step.terminated[0]), bool(step.truncated[0])
        info: dict[str, Any] = {k: v[0] for k, v in _extra_info(step, 1).items()}
        obs = step.obs
        if terminated or truncated:
            obs = step.info["final_obs"]  # the batched env already reset; report the real end
            info["episode_return"] = float(step.info["episode_return"][0])
            info["episode_length"] = int(step.info["episode_length"][0])
            self._needs_reset = True
        return tensor_to_numpy(obs[0]), float(step.reward[0]), terminated, truncated, info

    def close(self) -> None:
        """Close the wrapped env (safe to call twice)."""
        self.hybrid_env.close()


def _check_render_mode(render_mode: str | None) -> None:
    if render_mode is not None:
        raise ValueError(
            f"render_mode must be None: hybrid_toolkit envs do not render, got {render_mode!r}"
        )


def make_gymnasium_env(
    env_name: str,
    device: torch.device | str = "cpu",
    render_mode: str | None = None,
    **config_overrides: Any,
) -> HybridToGymnasiumEnv:
    """Entry point of ``gymnasium.make("hybrid_toolkit/<env_name>", **config_overrides)``.

    Args:
        env_name: A registered id such as ``"TargetRegime-v0"``.
        device: Torch device of the underlying env.
        render_mode: Must be ``None`` (no rendering); present so gymnasium's error is clear.
        **config_overrides: Fields of the env family's config; unknown keys raise.
    """
    _check_render_mode(render_mode)
    return HybridToGymnasiumEnv(make(env_name, num_envs=1, device=device, **config_overrides))


def make_gymnasium_vector_env(
    env_name: str,
    num_envs: int = 1,
    device: torch.device | str = "cpu",
    render_mode: str | None = None,
    **config_overrides: Any,
) -> HybridToGymnasiumVectorEnv:
    """Entry point of ``gymnasium.make_vec("hybrid_toolkit/<env_name>", num_envs=…)``.

    ``gymnasium.make_vec`` calls it as ``make_gymnasium_vector_env(num_envs=n, env_name=…,
    **kwargs)``; the whole batch is one batched env, not ``n`` copies.

    Args:
        env_name: A registered id such as ``"TargetRegime-v0"``.
        num_envs: Batch size.
        device: Torch device of the underlying env.
        render_mode: Must be ``None`` (no rendering).
        **config_overrides: Fields of the env family's config; unknown keys raise.
    """
    _check_render_mode(render_mode)
    env = make(env_name, num_envs=num_envs, device=device, **config_overrides)
    return HybridToGymnasiumVectorEnv(env)

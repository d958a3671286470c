"""Stable-Baselines3 adapters: a flat ``Box`` action encoding and a batched ``VecEnv``.

SB3 only accepts ``Box``, ``Discrete``, ``MultiDiscrete`` and ``MultiBinary`` action spaces, so a
hybrid action is flattened into **one ``Box`` in [-1, 1]** (:class:`HybridActionFlattener`):

* ``discrete_encoding="round"`` (default): each discrete component is one coordinate ``u``.
  ``[-1, 1]`` is cut into ``n`` equal bins and ``u`` picks the bin it falls in, i.e. the nearest
  of the bin centres ``c_i = -1 + (2i + 1) / n``. Equal bins keep a uniform ``u`` uniform over
  choices; ordinal components keep their order. One coordinate per component keeps the action
  small when there are many components.
* ``discrete_encoding="one_hot"``: a component with ``n`` choices contributes ``n`` logits and the
  largest wins (ties go to the lowest index); better for categorical choices with no order.
* Continuous parameters: coordinates with two finite bounds are rescaled affinely from
  ``[-1, 1]`` to ``[low, high]``; others pass through unchanged and are then clipped to their one
  finite bound, if any (so an unbounded parameter only reaches ``[-1, 1]``).

Actions outside ``[-1, 1]`` are clipped first. :class:`HybridToSB3VecEnv` puts this in front of a
batched env; :class:`FlattenHybridAction` does the same for a single gymnasium env (useful with
SB3's ``check_env`` or ``DummyVecEnv``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Literal

import gymnasium
import numpy as np
import torch
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import VecEnv
from stable_baselines3.common.vec_env.base_vec_env import VecEnvIndices, VecEnvStepReturn
from torch import Tensor

from hybrid_toolkit.envs.adapters.gymnasium_env import tensor_to_numpy
from hybrid_toolkit.envs.base import HybridEnv
from hybrid_toolkit.spaces import HybridAction, HybridSpace
from hybrid_toolkit.spaces.gymnasium_actions import action_to_gymnasium
from hybrid_toolkit.spaces.gymnasium_conversion import detect_convention, from_gymnasium

DiscreteEncoding = Literal["round", "one_hot"]


class HybridActionFlattener:
    """Maps a :class:`HybridSpace` to one ``Box`` in [-1, 1] and back (see the module docstring).

    Args:
        space: The hybrid action space.
        discrete_encoding: ``"round"`` (one coordinate per component) or ``"one_hot"`` (``n``
            logits per component, argmax wins).

    Attributes:
        box: The flat gymnasium ``Box`` (float32, bounds ``[-1, 1]``).
    """

    def __init__(self, space: HybridSpace, discrete_encoding: DiscreteEncoding = "round") -> None:
        if discrete_encoding not in ("round", "one_hot"):
            raise ValueError(
                f"discrete_encoding must be 'round' or 'one_hot', got {discrete_encoding!r}"
            )
        self.space = space
        self.discrete_encoding = discrete_encoding
        self._nvec = space.nvec
        if discrete_encoding == "round" or space.n_discrete == 0:
            self.n_discrete_coords = space.n_discrete
        else:
            self.n_discrete_coords = int(self._nvec.sum())
        self.n_flat = self.n_discrete_coords + space.n_continuous
        self.box = gymnasium.spaces.Box(-1.0, 1.0, shape=(self.n_flat,), dtype=np.float32)
        self._scaled = space.bounded_below & space.bounded_above
        # One row per component listing its logit columns; shorter components point at an
        # extra -inf column so every component's argmax runs as one batched op.
        width = int(self._nvec.max()) if space.n_discrete else 0
        columns = torch.full((space.n_discrete, width), self.n_discrete_coords, dtype=torch.long)
        start = 0
        for i, n in enumerate(self._nvec.tolist()):
            columns[i, :n] = torch.arange(start, start + n)
            start += n
        self._logit_columns = columns

    def decode(self, flat: Tensor) -> HybridAction:
        """Flat actions ``[B, n_flat]`` → hybrid actions on the same device.

        Args:
            flat: Floating tensor; values outside ``[-1, 1]`` are clipped.
        """
        if flat.dim() != 2 or flat.shape[1] != self.n_flat:
            raise ValueError(
                f"flat actions must have shape [B, {self.n_flat}], got {list(flat.shape)}"
            )
        dev = flat.device
        flat = flat.to(torch.float32).clamp(-1.0, 1.0)
        coords, cont = flat[:, : self.n_discrete_coords], flat[:, self.n_discrete_coords :]
        nvec = self._nvec.to(dev)
        if self.discrete_encoding == "round" or self.space.n_discrete == 0:
            bins = torch.floor((coords + 1.0) * 0.5 * nvec).long()
            discrete = torch.minimum(bins, nvec - 1)
        else:
            padded = torch.cat([coords, coords.new_full((coords.shape[0], 1), -torch.inf)], 1)
            logits = padded[:, self._logit_columns.to(dev)]  # [B, n_discrete, max n]
            discrete = logits.argmax(dim=2)
        low, high = self.space.low.to(dev), self.space.high.to(dev)
        rescaled = low + (cont + 1.0) * 0.5 * (high - low)
        continuous = torch.where(self._scaled.to(dev), rescaled, cont)
        continuous = torch.minimum(torch.maximum(continuous, low), high)
        return HybridAction(discrete, continuous)

    def encode(self, action: HybridAction) -> Tensor:
        """Hybrid actions → flat actions ``[B, n_flat]`` that :meth:`decode` maps back to them.

        Bin centres for ``"round"``, ``+1`` at the chosen logit and ``-1`` elsewhere for
        ``"one_hot"``; continuous values outside ``[-1, 1]`` after scaling are not representable
        and come back clipped.
        """
        dev = action.device
        nvec = self._nvec.to(dev)
        d = action.discrete
        if self.discrete_encoding == "round":
            coords = -1.0 + (2.0 * d.float() + 1.0) / nvec
        else:
            offsets = torch.cumsum(nvec, 0) - nvec
            coords = torch.full((d.shape[0], self.n_discrete_coords), -1.0, device=dev)
            coords.scatter_(1, d + offsets, 1.0)
        low, high = self.space.low.to(dev), self.space.high.to(dev)
        x = action.continuous.to(torch.float32)
        span = torch.where(high > low, high - low, torch.ones_like(high))
        scaled = torch.where(self._scaled.to(dev), 2.0 * (x - low) / span - 1.0, x)
        return torch.cat([coords, scaled], dim=1)


class HybridToSB3VecEnv(VecEnv):
    """A batched :class:`HybridEnv` as a Stable-Baselines3 ``VecEnv`` with a flat ``Box`` action.

    The SB3 contract holds: numpy float32 observations, ``dones = terminated | truncated``, and
    for every ended scenario ``infos[i]["terminal_observation"]`` (the observation before the
    env's same-step reset), ``infos[i]["TimeLimit.truncated"]`` (so SB3 bootstraps time-limit
    ends) and Monitor-style ``infos[i]["episode"] = {"r", "l", "t"}``. Because those episode
    statistics are always present, ``env_is_wrapped(Monitor)`` answers ``True`` so that SB3's
    ``evaluate_policy`` reads them.

    The batch is one env object: ``get_attr``/``set_attr``/``env_method`` act on it once and
    repeat the result for each requested index. ``seed(s)`` takes effect at the next ``reset``
    (SB3's convention) and seeds the whole batch with ``s``.

    Args:
        env: The batched environment.
        discrete_encoding: How discrete components are flattened (see
            :class:`HybridActionFlattener`).

    Examples:
        >>> from stable_baselines3 import PPO
        >>> from hybrid_toolkit.envs import make
        >>> venv = HybridToSB3VecEnv(make("TargetRegime-v0", num_envs=8))
        >>> model = PPO("MlpPolicy", venv, n_steps=64).learn(2048)
    """

    def __init__(self, env: HybridEnv, discrete_encoding: DiscreteEncoding = "round") -> None:
        self.hybrid_env = env
        self.flattener = HybridActionFlattener(env.action_space, discrete_encoding)
        self._actions: np.ndarray | None = None
        self._start_time = time.time()
        super().__init__(env.num_envs, env.observation_space, self.flattener.box)

    def reset(self) -> np.ndarray:
        """Reset every scenario (with the seed given to :meth:`seed`, if any)."""
        obs = self.hybrid_env.reset(seed=self._seeds[0])
        self._reset_seeds()
        self._reset_options()
        self.reset_infos = [{} for _ in range(self.num_envs)]
        return tensor_to_numpy(obs)

    def step_async(self, actions: np.ndarray) -> None:
        """Store flat actions ``[num_envs, n_flat]`` for :meth:`step_wait`."""
        self._actions = actions

    def step_wait(self) -> VecEnvStepReturn:
        """Decode the stored actions, step the batch and translate the result for SB3."""
        if self._actions is None:
            raise RuntimeError("HybridToSB3VecEnv.step_wait called without step_async")
        env = self.hybrid_env
        flat = torch.as_tensor(np.asarray(self._actions, dtype=np.float32), device=env.device)
        flat = flat.reshape(self.num_envs, self.flattener.n_flat)
        self._actions = None
        step = env.step(self.flattener.decode(flat))
        terminated = tensor_to_numpy(step.terminated).astype(np.bool_)
        truncated = tensor_to_numpy(step.truncated).astype(np.bool_)
        dones = terminated | truncated
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        ended = np.flatnonzero(dones)
        if ended.size:
            final_obs = tensor_to_numpy(step.info["final_obs"])
            returns = tensor_to_numpy(step.info["episode_return"])
            lengths = tensor_to_numpy(step.info["episode_length"])
            elapsed = round(time.time() - self._start_time, 6)
            for i in ended:  # only ended scenarios: SB3's infos are a list of dicts by design
                infos[i]["terminal_observation"] = final_obs[i]
                infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
                infos[i]["episode"] = {"r": float(returns[i]), "l": int(lengths[i]), "t": elapsed}
        obs = tensor_to_numpy(step.obs)
        return obs, tensor_to_numpy(step.reward).astype(np.float32), dones, infos

    def close(self) -> None:
        """Close the batched env."""
        self.hybrid_env.close()

    def _count(self, indices: VecEnvIndices) -> int:
        return len(list(self._get_indices(indices)))

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        """An attribute of the batched env, repeated per index (``render_mode`` is ``None``)."""
        value = None if attr_name == "render_mode" else getattr(self.hybrid_env, attr_name)
        return [value] * self._count(indices)

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        """Set an attribute of the batched env (shared by every index)."""
        setattr(self.hybrid_env, attr_name, value)

    def env_method(
        self,
        method_name: str,
        *method_args: Any,
        indices: VecEnvIndices = None,
        **method_kwargs: Any,
    ) -> list[Any]:
        """Call a method of the batched env once; its result is repeated per index."""
        result = getattr(self.hybrid_env, method_name)(*method_args, **method_kwargs)
        return [result] * self._count(indices)

    def env_is_wrapped(
        self,
        wrapper_class: type[gymnasium.Wrapper[Any, Any, Any, Any]],
        indices: VecEnvIndices = None,
    ) -> list[bool]:
        """``True`` only for ``Monitor``, whose episode statistics this adapter records itself."""
        return [issubclass(Monitor, wrapper_class)] * self._count(indices)


class FlattenHybridAction(gymnasium.ActionWrapper[Any, np.ndarray, Any]):
    """A gymnasium env with a hybrid action space, seen through the flat ``Box`` encoding.

    Works with any action space :func:`from_gymnasium` converts (our ``Dict``, gym-platform and
    gym-hybrid tuples…); the decoded action is passed on in the wrapped env's own convention.

    Args:
        env: A single gymnasium env, e.g. ``gymnasium.make("hybrid_toolkit/TargetRegime-v0")``.
        discrete_encoding: See :class:`HybridActionFlattener`.
    """

    def __init__(
        self, env: gymnasium.Env[Any, Any], discrete_encoding: DiscreteEncoding = "round"
    ) -> None:
        super().__init__(env)
        self.convention = detect_convention(env.action_space)
        self.hybrid_space = from_gymnasium(env.action_space)
        self.flattener = HybridActionFlattener(self.hybrid_space, discrete_encoding)
        self.action_space = self.flattener.box

    def action(self, action: np.ndarray | Sequence[float]) -> Any:
        """Flat action ``[n_flat]`` → the wrapped env's action."""
        flat = torch.as_tensor(np.asarray(action, dtype=np.float32)).reshape(1, -1)
        hybrid = self.flattener.decode(flat)
        return action_to_gymnasium(self.hybrid_space, hybrid, self.convention, batched=False)


def silent_sb3_logger() -> Logger:
    """An SB3 logger that writes nothing anywhere.

    SB3 models configure a logger on their first ``learn`` unless one was set, and that default
    creates an ``SB3-<date>`` folder under the system temp directory even with ``verbose=0``.
    ``model.set_logger(silent_sb3_logger())`` before ``learn`` keeps benchmarks and tests from
    leaving such folders behind.
    """
    return Logger(folder=None, output_formats=[])

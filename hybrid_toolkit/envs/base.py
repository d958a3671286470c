"""The batched, torch-native environment protocol every algorithm talks to.

Autoreset semantics (defined once, here): **same-step reset**. When scenario ``i`` terminates or
is truncated at a step, that same ``step`` call re-initialises it and returns the *new* episode's
first observation in ``Step.obs[i]``; the observation the episode actually ended on is in
``Step.info["final_obs"][i]``. Buffers therefore never see a dummy transition, and bootstrapping
uses ``final_obs`` for truncated scenarios.

Seeding: each env owns a ``torch.Generator`` on its device; ``reset(seed=s)`` re-seeds it, so the
same seed gives the same scenarios. ``reset()`` without a seed continues the current stream.

Snapshots: :meth:`HybridEnv.state_dict` captures everything that decides the env's future — its
generator and every attribute holding a tensor, a number, a list of tensors or a dataclass of
them (simulator state, step counters, episode bookkeeping) — with one generic mechanism, so a
family declares nothing unless it holds large constant tensors it wants left out
(``snapshot_exclude``). Other objects (spaces, configs, geometry) are built from the config and
treated as constants. An algorithm's checkpoint stores this snapshot, so a resumed run continues
mid-episode exactly where it stopped.
"""

from __future__ import annotations

import abc
import warnings
from typing import Any, ClassVar, NamedTuple

import gymnasium
import torch
from torch import Tensor

from hybrid_toolkit.envs.observation_features import ObservationFeatures
from hybrid_toolkit.spaces import HybridAction, HybridSpace
from hybrid_toolkit.utils.device import resolve_device
from hybrid_toolkit.utils.snapshot import UnsupportedState, capture, restore

# what the env's builder chose, not what happened to it since
_NOT_STATE = frozenset(
    {"action_space", "observation_space", "config", "device", "num_envs", "validate_actions"}
)


class Step(NamedTuple):
    """What :meth:`HybridEnv.step` returns; every tensor has leading batch dim ``num_envs``.

    Attributes:
        obs: Next observations ``[B, *obs_shape]`` (already reset where an episode ended).
        reward: Rewards ``[B]`` (float; differentiable w.r.t. continuous actions when the env is).
        terminated: Bool ``[B]``: the episode reached a terminal state.
        truncated: Bool ``[B]``: the episode was cut by a time limit.
        info: ``final_obs`` ``[B, *obs_shape]`` (the observation before autoreset),
            ``episode_return`` and ``episode_length`` ``[B]`` (meaningful where an episode ended),
            plus env-specific entries.
    """

    obs: Tensor
    reward: Tensor
    terminated: Tensor
    truncated: Tensor
    info: dict[str, Any]


class HybridEnv(abc.ABC):
    """Base class of batched hybrid-action environments.

    Subclasses set ``action_space`` and ``observation_space`` in ``__init__`` and implement
    :meth:`_reset_envs` and :meth:`_step`; this class handles seeding, action validation,
    episode statistics and same-step autoreset.

    Args:
        num_envs: Number of scenarios simulated as one batch (``B``).
        device: Torch device of every tensor the env returns.
        validate_actions: Check every action against ``action_space`` (costs a device sync;
            turn off in tight loops once the policy is known to emit valid actions).
    """

    differentiable: ClassVar[bool] = False
    """Whether rewards and next observations are differentiable w.r.t. continuous actions."""

    exact_snapshot: ClassVar[bool] = True
    """Whether :meth:`state_dict` captures the whole simulator (False for wrapped foreign envs,
    whose internals live outside torch)."""
    snapshot_exclude: ClassVar[frozenset[str]] = frozenset()
    """Attributes :meth:`state_dict` leaves out: large constants rebuilt from the config."""
    nominal_observation_bounds: ClassVar[tuple[float, float] | None] = None
    """The range observations are already scaled to, when ``observation_space`` declares a wider
    box only for clipping (Goal: scaled to [-1, 1], clipped to [-2, 2]). Input scalers (HyAR's)
    use it instead of the box, so already-scaled observations are not scaled twice."""

    action_space: HybridSpace
    observation_space: gymnasium.spaces.Box

    def __init__(
        self, num_envs: int = 1, device: torch.device | str = "cpu", validate_actions: bool = True
    ) -> None:
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise ValueError(f"num_envs must be an integer >= 1, got {num_envs!r}")
        self.num_envs = num_envs
        self.device = resolve_device(device)
        self.validate_actions = validate_actions
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(0)
        self._episode_return = torch.zeros(num_envs, device=self.device)
        self._episode_length = torch.zeros(num_envs, dtype=torch.int64, device=self.device)

    # ---------------------------------------------------------------- to implement
    @abc.abstractmethod
    def _reset_envs(self, mask: Tensor) -> Tensor:
        """Re-initialise the scenarios where ``mask`` is True and return all observations.

        Must be branch-free over the batch (``torch.where``), so it can run every step without
        a device sync. Draw randomness from ``self.generator``.
        """

    @abc.abstractmethod
    def _step(self, action: HybridAction) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        """Advance every scenario one step: ``(obs, reward, terminated, truncated, info)``."""

    def _lockstep_ended(self) -> bool | None:
        """Whether the step just taken ended the episodes, for envs whose scenarios all end
        together.

        Envs with a period counter shared by every scenario (episodes start together and are
        truncated together) know on the host whether a step ended them; returning ``False``
        lets :meth:`step` skip the autoreset bookkeeping on every other step, ``True`` says that
        every scenario ended. The default ``None`` means episodes end per scenario, read from
        ``terminated | truncated``.
        """
        return None

    # ---------------------------------------------------------------- protocol
    @property
    def obs_shape(self) -> tuple[int, ...]:
        """Per-scenario observation shape."""
        return tuple(self.observation_space.shape)

    def reset(self, *, seed: int | None = None) -> Tensor:
        """Start a new episode in every scenario and return observations ``[B, *obs_shape]``."""
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, int):
                raise ValueError(f"seed must be an int or None, got {seed!r}")
            self.generator.manual_seed(seed)
        self._episode_return.zero_()
        self._episode_length.zero_()
        return self._reset_envs(torch.ones(self.num_envs, dtype=torch.bool, device=self.device))

    def step(self, action: HybridAction) -> Step:
        """Apply a batch of actions; see the module docstring for autoreset semantics."""
        if self.validate_actions:
            self.action_space.validate(action)
            if action.batch_size != self.num_envs:
                raise ValueError(
                    f"action batch size is {action.batch_size}; expected num_envs={self.num_envs}"
                )
        if action.discrete.device != self.device or action.continuous.device != self.device:
            action = action.to(self.device)
        obs, reward, terminated, truncated, info = self._step(action)
        # The bookkeeping below runs every step of every env: keep it to a few tensor ops.
        gradient_free = reward.detach() if reward.requires_grad else reward
        episode_return = self._episode_return + gradient_free
        episode_length = self._episode_length + 1
        info["final_obs"] = obs
        info["episode_return"] = episode_return
        info["episode_length"] = episode_length
        ended = self._lockstep_ended()
        if ended is False:  # nothing ended anywhere: no reset, no masking
            self._episode_return, self._episode_length = episode_return, episode_length
            return Step(obs, reward, terminated, truncated, info)
        done = terminated | truncated
        next_obs = self._reset_envs(done)
        if ended:
            self._episode_return = torch.zeros_like(episode_return)
            self._episode_length = torch.zeros_like(episode_length)
        else:
            self._episode_return = torch.where(done, 0.0, episode_return)
            self._episode_length = torch.where(done, 0, episode_length)
        return Step(next_obs, reward, terminated, truncated, info)

    # ---------------------------------------------------------------- snapshots
    def state_dict(self) -> dict[str, Any]:
        """A copy of the env's mutable state (generator, simulator tensors, counters) as plain
        data that ``torch.save`` writes and ``torch.load(weights_only=True)`` reads.

        Generic over the instance's attributes: every one whose value `capture` supports
        (tensors, numbers, lists and dataclasses of them, generators) is included, except the
        spaces, the config and ``snapshot_exclude``. Loading it into an env built with the same
        class, config and ``num_envs`` makes both step identically from then on.
        """
        state: dict[str, Any] = {}
        for name, value in vars(self).items():
            if name in _NOT_STATE or name in self.snapshot_exclude:
                continue
            try:
                state[name] = capture(value)
            except UnsupportedState:
                continue  # an object built from the config: a constant
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Inverse of :meth:`state_dict`.

        Raises:
            ValueError: The snapshot is of another number of scenarios.
        """
        saved_returns = state.get("_episode_return")
        if isinstance(saved_returns, Tensor) and saved_returns.shape[0] != self.num_envs:
            raise ValueError(
                f"env snapshot is of {saved_returns.shape[0]} scenarios; this "
                f"{type(self).__name__} has num_envs={self.num_envs} (a snapshot loads into an "
                "env of the same class, config and num_envs)"
            )
        live = vars(self)
        for name, saved in state.items():
            setattr(self, name, restore(live.get(name), saved))
        if not self.exact_snapshot:
            warnings.warn(
                f"{type(self).__name__} cannot snapshot its simulator; the restored env starts "
                "from a fresh reset, so a resumed run is not identical to an uninterrupted one",
                stacklevel=2,
            )

    def observation_features(self) -> ObservationFeatures | None:
        """What the entries of the flat observation are (per-instance constants, quantities
        with their unit, scalars with their size), or ``None`` when the env does not say.

        Algorithms that condition their network input on it (HPO's ``input_map="declared"``)
        keep the observation unchanged for envs that return ``None``; see
        :mod:`hybrid_toolkit.envs.observation_features`.
        """
        return None

    def close(self) -> None:  # noqa: B027 - an optional hook, not an abstract method
        """Release resources (nothing by default)."""

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(num_envs={self.num_envs}, device={self.device}, "
            f"action_space={self.action_space!r}, obs_shape={self.obs_shape})"
        )

"""`BaseAlgorithm`: the Stable-Baselines3-style surface every algorithm shares.

An algorithm subclass provides a config dataclass, builds its networks in :meth:`_build`, and
implements the two halves of the trainer loop — :meth:`collect` and :meth:`update` — plus
:meth:`act`. Everything a user touches (``learn``, ``predict``, ``save``, ``load``, logging,
seeding, callbacks) lives here, once.
"""

from __future__ import annotations

import abc
import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.algorithms import resume
from hybrid_toolkit.algorithms.from_checkpoint import build_from_checkpoint
from hybrid_toolkit.algorithms.prediction_io import gymnasium_action, observation_batch
from hybrid_toolkit.algorithms.preset_names import canonical_preset
from hybrid_toolkit.envs import HybridEnv, make
from hybrid_toolkit.spaces import HybridAction, HybridSpace
from hybrid_toolkit.training import (
    Callback,
    Checkpoint,
    EpisodeStats,
    Logger,
    configure_logger,
    load_checkpoint,
    make_run_dir,
    save_checkpoint,
    train,
)
from hybrid_toolkit.utils.config import apply_overrides, config_to_json
from hybrid_toolkit.utils.config_checks import require_int
from hybrid_toolkit.utils.device import resolve_device


def _env_name(env: HybridEnv) -> str:
    spec = getattr(env, "spec", None)
    return spec.name if spec is not None else type(env).__name__


class BaseAlgorithm(abc.ABC):
    """Base class of every algorithm.

    Args:
        env: A batched :class:`~hybrid_toolkit.envs.HybridEnv`, or a registered env id (then it is
            built with ``num_envs=config.num_envs`` on ``device``).
        config: The algorithm's config dataclass, a preset name from ``presets``, or ``None`` for
            the defaults.
        seed: Seeds network initialisation, action sampling and the env.
        device: Torch device of the networks; ``"auto"`` (default) is CUDA when available, else
            the CPU.
        tensorboard_log: Root folder for run directories
            (``<root>/<env>__<algo>__<seed>__<time>/`` with TensorBoard events, ``progress.csv``
            and ``hparams.json``); ``None`` logs to stdout only.
        verbose: 0 silent, 1 progress table on stdout.
        **overrides: Config fields to change; unknown keys raise ``ValueError``.
    """

    name: ClassVar[str]
    """Registry name, e.g. ``"ppo"``."""
    config_class: ClassVar[type]
    """The algorithm's config dataclass."""
    presets: ClassVar[Mapping[str, Mapping[str, Any]]] = {"default": {}}
    """Named config overrides (paper settings)."""
    requires_differentiable_env: ClassVar[bool] = False
    """Refuse environments whose ``differentiable`` flag is False."""
    saved_attributes: ClassVar[Sequence[str]] = ()
    """Attributes (``nn.Module`` or optimizer) whose state dicts ``save`` writes."""
    resume_attributes: ClassVar[Sequence[str]] = ()
    """Dotted attribute paths of training state beyond the weights (last observation, schedule
    counters, ...) that ``save`` snapshots so that training resumes exactly."""
    episode_attributes: ClassVar[Sequence[str]] = ()
    """The ``resume_attributes`` tied to the env's current episodes (last observation,
    per-scenario running returns): left fresh, so training restarts from an env reset, when the
    env's state cannot be restored."""
    replay_attributes: ClassVar[Sequence[str]] = ()
    """Dotted attribute paths of replay buffers (``save(include_replay_buffer=...)``)."""

    def __init__(
        self,
        env: HybridEnv | str,
        config: Any | str | None = None,
        *,
        seed: int = 0,
        device: torch.device | str = "auto",
        tensorboard_log: str | Path | None = None,
        verbose: int = 1,
        **overrides: Any,
    ) -> None:
        self.config = apply_overrides(self._resolve_config(config), overrides)
        self.seed = require_int("seed", seed)
        self.device = resolve_device(device)
        self.tensorboard_log = tensorboard_log
        self.verbose = verbose
        if isinstance(env, str):
            env = make(env, num_envs=getattr(self.config, "num_envs", 1), device=self.device)
        self.env = env
        self._check_env(env)
        self.action_space: HybridSpace = env.action_space
        self.num_timesteps = 0
        self.total_timesteps_target = 0
        self.episode_stats = EpisodeStats(window=100)
        self.logger: Logger = configure_logger(None, ("stdout",) if verbose else (), verbose)
        self.run_dir: Path | None = None
        self._resume_gaps: list[str] = []
        self.generator = torch.Generator(device=self.device).manual_seed(self.seed)
        torch.manual_seed(self.seed)  # network initialisation draws from the global stream
        self._build()

    # ---------------------------------------------------------------- configuration
    @classmethod
    def _resolve_config(cls, config: Any | str | None) -> Any:
        if config is None:
            return cls.config_class()
        if isinstance(config, str):
            config = canonical_preset(cls.name, cls.presets, config, stacklevel=3)
            if config not in cls.presets:
                raise ValueError(
                    f"unknown {cls.name} preset {config!r}; valid presets are: "
                    f"{', '.join(cls.presets)}"
                )
            return apply_overrides(cls.config_class(), cls.presets[config])
        if not isinstance(config, cls.config_class):
            raise TypeError(
                f"config must be a {cls.config_class.__name__}, a preset name or None, "
                f"got {type(config).__name__}"
            )
        return config

    def _check_env(self, env: HybridEnv) -> None:
        if not isinstance(env, HybridEnv):
            raise TypeError(
                f"{self.name} needs a hybrid_toolkit HybridEnv or a registered env id, got "
                f"{type(env).__name__}; wrap gymnasium envs with GymnasiumToHybridEnv"
            )
        if self.requires_differentiable_env and not env.differentiable:
            raise ValueError(
                f"{self.name} needs a differentiable environment (env.differentiable=True); "
                f"{_env_name(env)} is not differentiable — use a model-free algorithm such as ppo"
            )

    def hyperparameters(self) -> dict[str, Any]:
        """The run's hyperparameters, for logging: the config fields plus seed, device, the env
        id and, under ``env_config``, the env's config dataclass (when it has one)."""
        params = config_to_json(self.config)
        params.update(
            algorithm=self.name,
            env=_env_name(self.env),
            num_envs=self.env.num_envs,
            seed=self.seed,
            device=str(self.device),
        )
        env_config = getattr(self.env, "config", None)
        if dataclasses.is_dataclass(env_config) and not isinstance(env_config, type):
            params["env_config"] = config_to_json(env_config)
        return params

    # ---------------------------------------------------------------- the algorithm's part
    @abc.abstractmethod
    def _build(self) -> None:
        """Create networks and optimizers (called once from ``__init__``)."""

    @abc.abstractmethod
    def collect(self) -> Any:
        """Gather experience from ``self.env``; advance ``num_timesteps``; feed episode stats."""

    @abc.abstractmethod
    def update(self, batch: Any) -> dict[str, float]:
        """Gradient steps on ``batch``; return metrics such as ``{"train/loss": …}``."""

    @abc.abstractmethod
    def act(self, obs: Tensor, deterministic: bool = True) -> HybridAction:
        """Batched actions for observations ``[B, *obs_shape]`` (no gradient, valid actions)."""

    # ---------------------------------------------------------------- user surface
    def learn(
        self,
        total_timesteps: int,
        callback: Callback | Sequence[Callback] | None = None,
        log_interval: int = 0,
        tb_log_name: str | None = None,
        reset_num_timesteps: bool = True,
        progress_bar: bool = False,
        *,
        run_dir: str | Path | None = None,
    ) -> BaseAlgorithm:
        """Train for ``total_timesteps`` environment steps (summed over the batch).

        Args:
            total_timesteps: Steps to train for (with ``reset_num_timesteps=False``: more steps).
            callback: Callbacks with the SB3 lifecycle (see ``hybrid_toolkit.training``).
            log_interval: Print the stdout table every this many iterations (and after the
                last); ``0`` prints about 100 tables per run. The files get every iteration.
            tb_log_name: Run name inside the run folder name (default: the algorithm name).
            reset_num_timesteps: Start counting from 0 (and from a fresh env reset). ``False``
                continues from the last observation with counters, random streams and buffers
                as they are (or as ``load`` restored them); budget-relative schedules then aim
                at ``num_timesteps + total_timesteps``. See the Reliability page for when the
                pieces are bit-identical to one uninterrupted run.
            progress_bar: Show a progress bar.
            run_dir: Log into exactly this folder instead of a new one under
                ``tensorboard_log`` (the CLI uses it to know the folder in advance).

        Returns:
            ``self``, so that ``Algo(env).learn(10_000)`` chains as in Stable-Baselines3.
        """
        if isinstance(total_timesteps, bool) or not isinstance(total_timesteps, int):
            raise ValueError(f"total_timesteps must be a positive int, got {total_timesteps!r}")
        if reset_num_timesteps:
            self.num_timesteps = 0
            self._resume_gaps = []
            self._on_reset()
        elif self._resume_gaps:
            warnings.warn(
                f"{self.name} continues training but the run is not the same as an uninterrupted "
                f"one: {'; '.join(self._resume_gaps)}",
                stacklevel=2,
            )
            self._resume_gaps = []
        target = total_timesteps if reset_num_timesteps else self.num_timesteps + total_timesteps
        self.total_timesteps_target = target
        self._configure_run(tb_log_name or self.name, run_dir)
        try:
            train(
                self,
                target,
                callback=callback,
                progress_bar=progress_bar,
                log_interval=log_interval,
            )
        finally:
            self.logger.close()
        return self

    def _on_reset(self) -> None:  # noqa: B027 - an optional hook, not an abstract method
        """Forget rollout state (last observation) before a fresh ``learn``; override as needed."""

    def _configure_run(self, run_name: str, run_dir: str | Path | None) -> None:
        formats: tuple[str, ...] = ("stdout",) if self.verbose else ()
        if run_dir is not None:
            self.run_dir = Path(run_dir)
            self.run_dir.mkdir(parents=True, exist_ok=True)
            formats = (*formats, "csv", "tensorboard")
        elif self.tensorboard_log is not None:
            self.run_dir = make_run_dir(
                self.tensorboard_log, _env_name(self.env), run_name, self.seed
            )
            formats = (*formats, "csv", "tensorboard")
        self.logger = configure_logger(self.run_dir, formats, self.verbose)
        self.logger.record_hparams(self.hyperparameters())

    def predict(
        self, observation: np.ndarray | Tensor, deterministic: bool = True
    ) -> tuple[Any, None]:
        """Actions for one observation or a batch, Stable-Baselines3 style.

        A ``Tensor`` input returns a :class:`HybridAction`; a numpy input returns the gymnasium
        ``Dict`` convention ``{"discrete": int64 array, "continuous": float32 array}``, without
        the batch dimension when a single observation was given. The second element is the
        (absent) recurrent state.

        Raises:
            ValueError: If the observation has the wrong shape, or holds NaN or infinite values
                (naming how many and the index of the first).
        """
        obs, single = observation_batch(observation, self.env.obs_shape, self.device)
        action = self.act(obs, deterministic=deterministic)
        if isinstance(observation, Tensor):
            return action, None
        return gymnasium_action(action, single), None

    # ---------------------------------------------------------------- persistence
    def state_dicts(self) -> dict[str, dict[str, Any]]:
        """State dicts of every attribute named in ``saved_attributes``."""
        return {name: getattr(self, name).state_dict() for name in self.saved_attributes}

    def load_state_dicts(self, state_dicts: Mapping[str, Mapping[str, Any]]) -> None:
        """Inverse of :meth:`state_dicts`; missing entries raise ``ValueError``."""
        missing = [n for n in self.saved_attributes if n not in state_dicts]
        if missing:
            raise ValueError(f"checkpoint lacks state dicts {missing} needed by {self.name}")
        for name in self.saved_attributes:
            getattr(self, name).load_state_dict(state_dicts[name])

    def _training_state(self) -> dict[str, dict[str, Any]]:
        """What ``save`` writes besides the weights: random stream, env, counters."""
        return {resume.TRAINING_STATE: resume.training_state(self)}

    def _load_training_state(self, checkpoint: Checkpoint) -> None:
        """Restore the training state and replay buffers; gaps make a continued learn warn."""
        self._resume_gaps = resume.load_training_state(self, checkpoint)

    def save(self, path: str | Path, *, include_replay_buffer: bool = True) -> Path:
        """Write a ``.zip`` checkpoint atomically (JSON metadata + state dicts, no pickle).

        The checkpoint holds everything a continued ``learn(..., reset_num_timesteps=False)``
        needs to be bit-identical to an uninterrupted run on the same machine: weights,
        optimizers, random streams, the env's state and last observation, counters, episode
        statistics and (by default) the replay buffers.

        Args:
            path: Destination (``.zip`` is appended when missing).
            include_replay_buffer: Also store the replay buffers (only their filled rows; a
                full buffer takes ``capacity × transition size``). ``False`` writes a small
                deployment checkpoint: it predicts the same, but training continued from it
                starts with empty buffers (and warns).
        """
        env_info: dict[str, Any] = {"name": _env_name(self.env)}
        env_config = getattr(self.env, "config", None)
        if dataclasses.is_dataclass(env_config) and not isinstance(env_config, type):
            env_info["config"] = config_to_json(env_config)
        return save_checkpoint(
            path,
            algorithm=self.name,
            config=config_to_json(self.config),
            spaces={
                "action_space": self.action_space.to_json(),
                "observation_shape": list(self.env.obs_shape),
            },
            state_dicts={
                **self.state_dicts(),
                **self._training_state(),
                **(resume.replay_state_dicts(self) if include_replay_buffer else {}),
            },
            extra={
                "num_timesteps": self.num_timesteps,
                "seed": self.seed,
                "env": env_info,
                "replay_buffers": resume.replay_sizes(self) if include_replay_buffer else {},
            },
        )

    @classmethod
    def load(
        cls,
        path: str | Path,
        env: HybridEnv | None = None,
        *,
        device: torch.device | str = "cpu",
        **kwargs: Any,
    ) -> BaseAlgorithm:
        """Load a checkpoint written by :meth:`save`.

        Args:
            path: The ``.zip`` file.
            env: The env to attach; by default the saved env id is rebuilt from its saved config
                (one scenario) when it is registered.
            device: Device for the networks.
            **kwargs: Passed to the constructor (``tensorboard_log``, ``verbose``…).

        Raises:
            FileNotFoundError: No file at ``path``.
            CheckpointError: The file is damaged or foreign, or its content cannot rebuild this
                algorithm (see `hybrid_toolkit.training.load_checkpoint`).
            ValueError: The file holds another algorithm's model, or ``env`` differs from the
                saved observation shape or action space (the message says how).
        """
        checkpoint = load_checkpoint(path, map_location=device)
        if checkpoint.algorithm != cls.name:
            raise ValueError(
                f"{path} holds a {checkpoint.algorithm!r} model; load it with "
                f"hybrid_toolkit.load() or the {checkpoint.algorithm!r} class, not {cls.__name__}"
            )
        return cls._from_checkpoint(checkpoint, path, env, device=device, **kwargs)

    @classmethod
    def _from_checkpoint(
        cls,
        checkpoint: Checkpoint,
        path: str | Path,
        env: HybridEnv | None,
        *,
        device: torch.device | str,
        **kwargs: Any,
    ) -> BaseAlgorithm:
        """Build the model a checkpoint holds, already read (`hybrid_toolkit.load` reads once)."""
        return build_from_checkpoint(cls, checkpoint, path, env, device=device, **kwargs)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(env={_env_name(self.env)}, seed={self.seed}, "
            f"device={self.device}, num_timesteps={self.num_timesteps})"
        )

"""Training state for exact resumption: what a checkpoint needs beyond the weights.

A run's future depends on more than its networks and optimizers: the random stream, the env's
simulator state and the last observation the algorithm acts on, the step counters and the
budget its schedules are relative to, episode statistics, replay buffers and each algorithm's
own schedule counters. `training_state` gathers all of it as one plain-data state dict
(``training_state.pt`` in the checkpoint) and `replay_state_dicts` the replay buffers (one
``replay.<attribute>.pt`` each, optional so deployment checkpoints stay small);
`load_training_state` puts them back. Each algorithm only declares attribute paths:

* ``resume_attributes`` — its own counters and rollout state (snapshotted with
  :func:`~hybrid_toolkit.utils.snapshot.capture`);
* ``episode_attributes`` — the subset tied to the env's current episodes (last observation,
  per-scenario running returns), left at their fresh values (so the next ``collect`` resets the
  env) when the env's state cannot be restored;
* ``replay_attributes`` — its replay buffers.

What is guaranteed (on one machine, same library and torch versions, same device): a run
interrupted at an iteration boundary — stopped by a callback, or saved by `CheckpointCallback`
and killed — and continued with ``learn(total - num_timesteps, reset_num_timesteps=False)``,
in the same process or after ``load`` with an env of the same class, config and ``num_envs``,
is bit-identical (weights, optimizer states, counters) to ``learn(total)`` in one go.

What is not:

* Schedules relative to the ``learn`` budget (PPO's ``anneal_lr``, DGRL/H-Cacla's
  ``warmup_fraction`` and ``learning_starts_fraction``, HPO's entropy anneal) follow the budget
  of the call that is running, so ``learn(N / 2)`` followed by ``learn(N / 2, ...)`` differs
  from ``learn(N)`` when they are on; with them off it is identical.
* HPO's ``restore_best_dev`` loads the best-dev weights when a ``learn`` call ends, so training
  continued after it starts from those weights.
* The trainer stops at the first iteration boundary at or past the budget: a ``learn(k)`` whose
  ``k`` is not a multiple of the steps per iteration overshoots by up to one ``collect``, and a
  second ``learn(k, reset_num_timesteps=False)`` then aims at the overshot count plus ``k``.
  Continue with ``learn(total - num_timesteps, ...)`` to land where one run would have.
* Envs without an exact snapshot (``GymnasiumToHybridEnv``), checkpoints without training
  state or without replay buffers: training continues, from a fresh env reset or with empty
  buffers, and ``learn`` warns that the run is not the uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hybrid_toolkit.utils.snapshot import capture, get_path, restore, set_path

if TYPE_CHECKING:
    from hybrid_toolkit.algorithms.base import BaseAlgorithm
    from hybrid_toolkit.training import Checkpoint

TRAINING_STATE = "training_state"
"""Name of the training-state entry among a checkpoint's state dicts."""
REPLAY_PREFIX = "replay."
"""Prefix of the replay-buffer entries among a checkpoint's state dicts."""

_MISSING = object()


def _lookup(algo: BaseAlgorithm, path: str) -> Any:
    """``algo.<path>``, or `_MISSING` where a parent on the path is ``None``."""
    parent, _, name = path.rpartition(".")
    owner = get_path(algo, parent) if parent else algo
    return _MISSING if owner is None else getattr(owner, name)


def training_state(algo: BaseAlgorithm) -> dict[str, Any]:
    """Everything besides weights and replay buffers that decides how ``algo`` trains on."""
    attributes = {}
    for path in algo.resume_attributes:
        value = _lookup(algo, path)
        if value is not _MISSING:
            attributes[path] = capture(value)
    return {
        "generator": algo.generator.get_state(),
        "num_timesteps": algo.num_timesteps,
        "total_timesteps_target": algo.total_timesteps_target,
        "episode_stats": capture(algo.episode_stats.state_dict()),
        "env_class": type(algo.env).__name__,
        "num_envs": algo.env.num_envs,
        "env": algo.env.state_dict(),  # already plain data
        "attributes": attributes,
    }


def replay_state_dicts(algo: BaseAlgorithm) -> dict[str, dict[str, Any]]:
    """One state dict per replay buffer, keyed ``replay.<attribute path>``."""
    return {
        REPLAY_PREFIX + path: get_path(algo, path).state_dict() for path in algo.replay_attributes
    }


def replay_sizes(algo: BaseAlgorithm) -> dict[str, int]:
    """Transitions held by each replay buffer (what a checkpoint states it stores)."""
    return {path: len(get_path(algo, path)) for path in algo.replay_attributes}


def load_training_state(algo: BaseAlgorithm, checkpoint: Checkpoint) -> list[str]:
    """Restore what `training_state` and `replay_state_dicts` saved into ``algo``.

    Returns:
        Why continued training will not be identical to the uninterrupted run (empty when it
        will be): a checkpoint without training state (format-1 files written before it
        existed), without replay buffers, or an env that cannot be restored.
    """
    gaps: list[str] = []
    state = checkpoint.state_dicts.get(TRAINING_STATE)
    if state is None:
        gaps.append("the checkpoint holds no training state (random streams, env, counters)")
    else:
        _restore_core(algo, state, gaps)
    for path in algo.replay_attributes:
        saved = checkpoint.state_dicts.get(REPLAY_PREFIX + path)
        if saved is None:
            gaps.append(f"the checkpoint holds no replay buffer {path!r}; it starts empty")
        else:
            get_path(algo, path).load_state_dict(saved)
    return gaps


def _restore_core(algo: BaseAlgorithm, state: Mapping[str, Any], gaps: list[str]) -> None:
    algo.generator.set_state(state["generator"].cpu())  # set_state takes a CPU ByteTensor
    algo.num_timesteps = int(state["num_timesteps"])
    algo.total_timesteps_target = int(state["total_timesteps_target"])
    algo.episode_stats.load_state_dict(restore(None, state["episode_stats"]))
    env = algo.env
    same_env = state["env_class"] == type(env).__name__ and state["num_envs"] == env.num_envs
    env_restored = same_env and env.exact_snapshot
    if env_restored:
        env.load_state_dict(state["env"])
    elif same_env:
        gaps.append(
            f"{type(env).__name__} cannot snapshot its simulator; training resumes from a "
            "fresh env reset"
        )
    else:
        gaps.append(
            f"the env ({type(env).__name__}, num_envs={env.num_envs}) cannot take the saved env "
            f"state ({state['env_class']}, num_envs={state['num_envs']}); training resumes from "
            "a fresh env reset"
        )
    fresh_episodes = set() if env_restored else set(algo.episode_attributes)
    for path, saved in state["attributes"].items():
        current = _lookup(algo, path)
        if current is not _MISSING and path not in fresh_episodes:
            set_path(algo, path, restore(current, saved))


__all__ = [
    "REPLAY_PREFIX",
    "TRAINING_STATE",
    "load_training_state",
    "replay_sizes",
    "replay_state_dicts",
    "training_state",
]

"""The env a model was saved with: rebuild it, or check that a given env fits, before building.

A model trained on one observation shape and action space cannot act on another; without this
check the mismatch surfaces deep in ``load_state_dict`` or as a matrix-shape error at the first
step. `check_env_matches` compares the spaces saved in a checkpoint with the env's and says what
differs, in words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import torch

from hybrid_toolkit.envs import HybridEnv, env_spec, make
from hybrid_toolkit.envs.registry import ENV_REGISTRY
from hybrid_toolkit.spaces import HybridSpace
from hybrid_toolkit.training import CheckpointError
from hybrid_toolkit.utils.config import config_from_json

REBUILD_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, RuntimeError)
"""What building envs and models from foreign config values or state dicts raises (RuntimeError:
a ``load_state_dict`` shape mismatch); at the load boundary each becomes a `CheckpointError`."""

_SPACE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)
"""What `HybridSpace.from_json` raises on a foreign or damaged description."""


def saved_action_space(spaces: Mapping[str, Any], where: str) -> HybridSpace:
    """The action space recorded in a checkpoint's ``spaces.json``.

    Raises:
        CheckpointError: It is missing or does not describe a valid `HybridSpace`.
    """
    data = spaces.get("action_space")
    if not isinstance(data, Mapping):
        raise CheckpointError(
            f"{where}: spaces.json 'action_space' must be a JSON object, got {data!r:.80}"
        )
    try:
        return HybridSpace.from_json(data)
    except _SPACE_ERRORS as err:
        raise CheckpointError(
            f"{where}: spaces.json 'action_space' is not a valid action space "
            f"({type(err).__name__}: {err})"
        ) from None


def saved_obs_shape(spaces: Mapping[str, Any], where: str) -> tuple[int, ...] | None:
    """The observation shape recorded in ``spaces.json``, or ``None`` where none was saved."""
    shape = spaces.get("observation_shape")
    if shape is None:
        return None
    if not isinstance(shape, list) or not all(
        type(n) is int and n >= 0 for n in shape
    ):  # bool is an int subclass; type() excludes it
        raise CheckpointError(
            f"{where}: spaces.json 'observation_shape' must be a list of sizes, got {shape!r:.80}"
        )
    return tuple(shape)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _component(data: Mapping[str, Any]) -> str:
    return f"{data['kind']}({data['n']})"


def _components(data: list[Any]) -> str:
    if not data:
        return "none"
    counts = Counter(map(_component, data))
    return ", ".join(f"{n} × {kind}" if n > 1 else kind for kind, n in counts.items())


def _bounds(values: list[Any]) -> str:
    return "[" + ", ".join(f"{float(v):g}" if not isinstance(v, str) else v for v in values) + "]"


def _discrete_differences(model: list[Any], env: list[Any]) -> list[str]:
    if len(model) != len(env):
        return [
            f"{_count(len(model), 'discrete component')} [{_components(model)}] in the model, "
            f"{len(env)} [{_components(env)}] in the env"
        ]
    found = []
    for index, (ours, theirs) in enumerate(zip(model, env, strict=True)):
        for key in ("kind", "n", "positions", "name"):
            if ours.get(key) != theirs.get(key):
                found.append(
                    f"discrete component {index} has {key} {ours.get(key)!r} in the model, "
                    f"{theirs.get(key)!r} in the env"
                )
    return found


def _activation(data: Mapping[str, Any]) -> str:
    return str(dict(data)) if data else "none"


def describe_space_difference(model: HybridSpace, env: HybridSpace) -> list[str]:
    """What differs between a model's action space and an env's, one phrase per difference."""
    ours, theirs = model.to_json(), env.to_json()
    found = _discrete_differences(ours["discrete"], theirs["discrete"])
    if len(ours["low"]) != len(theirs["low"]):
        found.append(
            f"{_count(len(ours['low']), 'continuous parameter')} in the model, "
            f"{len(theirs['low'])} in the env"
        )
    else:
        dims = [
            j
            for j in range(len(ours["low"]))
            if (ours["low"][j], ours["high"][j]) != (theirs["low"][j], theirs["high"][j])
        ]
        if dims:
            found.append(
                f"continuous parameters {dims} have bounds low {_bounds(ours['low'])} high "
                f"{_bounds(ours['high'])} in the model, low {_bounds(theirs['low'])} high "
                f"{_bounds(theirs['high'])} in the env"
            )
        if ours["continuous_names"] != theirs["continuous_names"]:
            found.append(
                f"continuous parameters are named {ours['continuous_names']} in the model, "
                f"{theirs['continuous_names']} in the env"
            )
    if ours["activation"] != theirs["activation"]:
        found.append(
            f"parameters activated per choice {_activation(ours['activation'])} in the model, "
            f"{_activation(theirs['activation'])} in the env"
        )
    return found or [f"{model!r} in the model, {env!r} in the env"]


def check_env_matches(
    env: HybridEnv,
    spaces: Mapping[str, Any],
    where: str,
    *,
    error: type[ValueError] = ValueError,
) -> None:
    """Raise ``error`` saying what differs when ``env`` cannot run the model saved in ``where``.

    Args:
        env: The environment the model is to be attached to.
        spaces: The checkpoint's ``spaces.json`` (``action_space``, ``observation_shape``).
        where: The checkpoint path, for messages.
        error: ``ValueError`` when the user chose ``env``; `CheckpointError` when the env was
            rebuilt from the checkpoint itself (then the file contradicts itself).

    Raises:
        CheckpointError: ``spaces.json`` itself is damaged.
    """
    found = []
    shape = saved_obs_shape(spaces, where)
    if shape is not None and shape != tuple(env.obs_shape):
        found.append(f"observation shape {shape} in the model, {tuple(env.obs_shape)} in the env")
    space = saved_action_space(spaces, where)
    if space != env.action_space:
        found.append(
            f"action space: {', '.join(describe_space_difference(space, env.action_space))}"
        )
    if found:
        name = getattr(getattr(env, "spec", None), "name", type(env).__name__)
        raise error(f"env {name} differs from the saved model ({where}): {'; '.join(found)}")


def rebuild_env(env_info: Any, device: torch.device | str, where: str) -> HybridEnv:
    """The registered env a checkpoint was trained on (one scenario), from ``extra.json``.

    Raises:
        CheckpointError: ``env_info`` is not ``{"name": id, "config": {...}}``, names no
            registered env (then pass ``env=``), or its config does not build that env.
    """
    name = env_info.get("name", "") if isinstance(env_info, Mapping) else None
    config_json = env_info.get("config", {}) if isinstance(env_info, Mapping) else None
    if not isinstance(name, str) or not isinstance(config_json, Mapping):
        raise CheckpointError(
            f"{where}: extra.json 'env' must be {{'name': env id, 'config': {{...}}}}, got "
            f"{env_info!r:.120}"
        )
    if name not in ENV_REGISTRY:
        raise CheckpointError(
            f"{where} was trained on {name!r}, which is not a registered env id; pass env="
        )
    try:
        config: Any = config_from_json(env_spec(name).config_class, config_json)
        return make(name, num_envs=1, device=device, config=config)
    except REBUILD_ERRORS as err:
        raise CheckpointError(
            f"{where}: the saved {name} env config cannot be rebuilt ({type(err).__name__}: {err})"
        ) from err


__all__ = [
    "REBUILD_ERRORS",
    "check_env_matches",
    "describe_space_difference",
    "rebuild_env",
    "saved_action_space",
]

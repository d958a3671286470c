"""One training run of ``bench dgrl-paper`` and its cache, one JSON file per run protocol.

A run record holds the :func:`protocol` it was produced under (the budget, the environment and
the method's **whole resolved config**, so a preset whose values change makes its old runs
stale), its evaluation curve and its cost. Each protocol has its own file
(:func:`run_path`: a digest of the protocol in the name), so the paper-loop and batched-loop
runs of a method live side by side. :func:`load_cached` returns a stored record only when its
protocol matches the requested one (:func:`matches`: a different evaluation seed or more
evaluation episodes than requested are accepted, the same estimate with other noise), so an
interrupted suite resumes where it stopped and changing a budget, preset or environment never
mixes results.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from hybrid_toolkit.algorithms import get_algorithm
from hybrid_toolkit.bench.dgrl_paper.grid import EnvCase, Loop, Method
from hybrid_toolkit.bench.report import load_average, write_json
from hybrid_toolkit.envs import make
from hybrid_toolkit.training import EvalCallback
from hybrid_toolkit.utils.config import apply_overrides

EVAL_SEED = 123
"""Reset seed of every evaluation, so successive evaluations see the same scenarios."""
SAMPLED_EVAL_MODE = "deterministic and sampled"
"""``eval_mode`` of a run that also evaluates its exploring (sampled) policy."""


def resolved_config(method: Method, case: EnvCase, loop: Loop) -> dict[str, Any]:
    """The method's whole config in ``case`` under ``loop`` (preset, then overrides), as JSON.

    Raises:
        ValueError: An override the algorithm's config does not have (names it).
    """
    cls = get_algorithm(method.algorithm)
    preset = cls.presets[method.preset(case.family, loop)]
    config = apply_overrides(cls.config_class(), {**preset, **method.overrides_for(case.family)})
    return _jsonable(asdict(config))


def protocol(
    method: Method,
    case: EnvCase,
    steps: int,
    eval_every: int,
    eval_episodes: int,
    loop: Loop = "paper",
    sampled_eval: bool = False,
) -> dict[str, Any]:
    """Everything that decides a run's result, as a JSON-ready dict (the cache key's content).

    The loop enters through the preset and the resolved config: a method whose config does not
    depend on the loop (DNC, Cacla, H-DNC, HyAR) has one protocol for both loops.
    ``sampled_eval`` adds a sampled (exploring-policy) evaluation beside each greedy one; it
    changes ``eval_mode``, so those runs are cached beside the greedy-only ones.
    """
    return {
        "algorithm": method.algorithm,
        "preset": method.preset(case.family, loop),
        "overrides": dict(sorted(method.overrides_for(case.family).items())),
        "config": resolved_config(method, case, loop),
        "env_id": case.env_id,
        "env_overrides": dict(sorted(case.env_overrides.items())),
        "eval_overrides": dict(sorted(case.eval_overrides.items())),
        "steps": steps,
        "eval_every": eval_every,
        "eval_episodes": eval_episodes,
        "eval_seed": EVAL_SEED,
        "eval_mode": SAMPLED_EVAL_MODE if sampled_eval else "deterministic",
    }


def _jsonable(value: Any) -> Any:
    """Tuples become lists, as they do in a JSON round trip (so protocols compare equal)."""
    return json.loads(json.dumps(value, default=str))


NOISE_ONLY = frozenset({"eval_episodes", "eval_seed"})
"""Protocol fields that change only the sampling noise of an evaluation, not what it estimates."""


def matches(stored: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether a stored protocol answers the wanted one.

    Every field must be equal except those in :data:`NOISE_ONLY`: the evaluation seed may
    differ, and the stored run may have more evaluation episodes (never fewer).
    """
    stored, wanted = _jsonable(stored), _jsonable(wanted)
    if stored.get("eval_episodes", 0) < wanted["eval_episodes"]:
        return False
    return _key(stored) == _key(wanted)


def _key(proto: dict[str, Any]) -> dict[str, Any]:
    """The protocol without its noise-only fields, JSON-normalised."""
    return {k: v for k, v in _jsonable(proto).items() if k not in NOISE_ONLY}


def run_path(
    cache_dir: Path, env_key: str, method_key: str, seed: int, proto: dict[str, Any]
) -> Path:
    """``<cache_dir>/<env>/<method>/seed-<n>-<digest>.json``, the digest of the protocol's
    non-noise fields (so runs of other protocols, e.g. the other loop, are kept beside it)."""
    text = json.dumps(_key(proto), sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    return cache_dir / env_key / method_key / f"seed-{seed}-{digest}.json"


def load_cached(path: Path, wanted: dict[str, Any]) -> dict[str, Any] | None:
    """The record at ``path`` if it exists and its protocol matches ``wanted``, else ``None``.

    Raises:
        ValueError: The file exists but is not a run record (names the file).
    """
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text())
        stored = record["protocol"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is not a dgrl-paper run record ({error}); delete it") from error
    return record if matches(stored, wanted) else None


def build(
    method: Method, case: EnvCase, seed: int, proto: dict[str, Any], device: str = "cpu"
) -> tuple[Any, Any]:
    """The training environment and the untrained model of a run under ``proto``.

    Raises:
        ValueError: The algorithm refuses the environment (e.g. a table too large).
    """
    cls = get_algorithm(method.algorithm)
    num_envs = int(proto["config"].get("num_envs", 1))
    env = make(case.env_id, num_envs=num_envs, device=device, **case.env_overrides)
    model = cls(env, proto["preset"], seed=seed, device=device, verbose=0, **proto["overrides"])
    return env, model


def train_and_evaluate(
    method: Method,
    case: EnvCase,
    seed: int,
    proto: dict[str, Any],
    device: str = "cpu",
) -> dict[str, Any]:
    """Train one run under ``proto`` and return its record: the curve of greedy evaluations,
    and with a sampled ``eval_mode`` the exploring policy's evaluation on the same scenarios
    at each point (``sampled_return``, ``sampled_solved``). Sampling restores the algorithm's
    generator, so the training run and its greedy curve are those of a greedy-only run."""
    _, model = build(method, case, seed, proto, device)
    callbacks = [_eval_callback(case, proto, device, deterministic=True)]
    if proto["eval_mode"] == SAMPLED_EVAL_MODE:
        callbacks.append(_eval_callback(case, proto, device, deterministic=False))
    wall, cpu, load = time.perf_counter(), time.process_time(), load_average()
    model.learn(proto["steps"], callback=callbacks)
    curve = [
        {"steps": int(steps)} | _point(case, result) for steps, result in callbacks[0].evaluations
    ]
    for callback in callbacks[1:]:  # the sampled evaluations, at the same steps
        for point, (_, result) in zip(curve, callback.evaluations, strict=True):
            point.update({f"sampled_{key}": value for key, value in _point(case, result).items()})
    summary = model.episode_stats.summary()
    return {
        "protocol": proto,
        "seed": seed,
        "curve": curve,
        "train_return": float(summary.get("rollout/ep_rew_mean", float("nan"))),
        "wall_seconds": time.perf_counter() - wall,
        "cpu_seconds": time.process_time() - cpu,
        "load_average_start": load,
        "source": "bench dgrl-paper",
    }


def _eval_callback(
    case: EnvCase, proto: dict[str, Any], device: str, deterministic: bool
) -> EvalCallback:
    """An evaluation every ``eval_every`` steps on an environment of its own, from the same
    reset seed as every other (so the greedy and the sampled policy see the same scenarios)."""
    eval_env = make(
        case.env_id,
        num_envs=min(proto["eval_episodes"], 64),
        device=device,
        **{**case.env_overrides, **case.eval_overrides},
    )
    return EvalCallback(
        eval_env,
        proto["eval_every"],
        proto["eval_episodes"],
        deterministic=deterministic,
        verbose=0,
        seed=EVAL_SEED,
    )


def _point(case: EnvCase, result: Any) -> dict[str, Any]:
    """One evaluation's mean return, and its solved share where the case has a goal."""
    point: dict[str, Any] = {"return": float(result.mean_reward)}
    if case.solved_above is not None:
        rewards = np.asarray(result.episode_rewards)
        point["solved"] = float(np.mean(rewards > case.solved_above))
    return point


def cached_run(
    cache_dir: Path,
    env_key: str,
    method_key: str,
    seed: int,
    proto: dict[str, Any],
    train: Any = None,
) -> tuple[dict[str, Any], bool]:
    """The run's record from the cache, or trained now and stored; and whether it was cached.

    Args:
        cache_dir: Folder of the run records.
        env_key: Key of the environment case (its subfolder).
        method_key: Key of the method (its subfolder).
        seed: Training seed.
        proto: The wanted :func:`protocol`.
        train: ``() -> record`` producing the run on a miss (default: none, a miss raises).

    Raises:
        LookupError: A miss and no ``train``.
    """
    path = run_path(cache_dir, env_key, method_key, seed, proto)
    record = load_cached(path, proto)
    if record is not None:
        return record, True
    if train is None:
        raise LookupError(f"no cached run matches the wanted protocol at {path}")
    record = train()
    write_json(path, record)
    return record, False

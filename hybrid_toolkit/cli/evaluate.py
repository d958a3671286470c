"""``hybrid-toolkit eval MODEL``: evaluate a saved model."""

from __future__ import annotations

import sys
from pathlib import Path

from hybrid_toolkit.algorithms import BaseAlgorithm, load
from hybrid_toolkit.cli.options import EvalArgs, apply_threads
from hybrid_toolkit.cli.result import print_result, result_lines
from hybrid_toolkit.envs import HybridEnv, make


def _error(message: object) -> int:
    # One line, no traceback: the file or the env named on the command line is at fault.
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    return 2


def _load(args: EvalArgs) -> tuple[BaseAlgorithm, HybridEnv, str]:
    """The model and the env to evaluate it on (checked against the model before building)."""
    if args.env:
        env = make(args.env, num_envs=args.num_envs, device=args.device)
        return load(args.model, env=env, device=args.device), env, args.env
    model = load(args.model, device=args.device)
    env_name = getattr(getattr(model.env, "spec", None), "name", "")
    env_config = getattr(model.env, "config", None)
    return (
        model,
        make(env_name, num_envs=args.num_envs, device=args.device, config=env_config),
        env_name,
    )


def run_eval(args: EvalArgs) -> int:
    """Load ``args.model``, run ``args.episodes`` episodes and print the result.

    The mean return comes first, then what the env reports beside it (optimum, reported metric
    and reference policy; see :mod:`hybrid_toolkit.cli.result`).

    Returns:
        0, or 2 (with a one-line message on stderr) when the model file is missing, damaged or
        foreign, or the env given with ``--env`` does not fit the model.
    """
    if not Path(args.model).is_file():
        return _error(f"model file {args.model!r} does not exist")
    apply_threads(args.threads)
    try:
        model, env, env_name = _load(args)
    except (ValueError, KeyError) as err:  # CheckpointError is a ValueError
        return _error(f"cannot evaluate {args.model}: {err}")
    rows = result_lines(
        lambda obs: model.act(obs, deterministic=args.deterministic),
        env,
        args.episodes,
        seed=args.seed,
    )
    print_result(rows, f"{model.name} on {env_name}: ", indent=2)
    return 0

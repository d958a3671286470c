"""``hybrid-toolkit train ALGO ENV``: train, evaluate, save, and say where everything went.

Setup (:func:`prepare_train`) builds and checks everything the command line describes before
anything is written, so a refused value leaves no run folder behind; the returned job creates
the run directory, records the run's configuration in ``config.json`` (what ``train --resume``
rebuilds the run from) and trains.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hybrid_toolkit.algorithms import BaseAlgorithm, get_algorithm
from hybrid_toolkit.cli.options import RunOptions, apply_threads
from hybrid_toolkit.cli.result import print_result, result_lines
from hybrid_toolkit.cli.run_record import write_run_record
from hybrid_toolkit.envs import HybridEnv, make
from hybrid_toolkit.training import (
    Callback,
    CheckpointCallback,
    EvalCallback,
    make_run_dir,
)


def prepare_train(args: Any, callbacks: Sequence[Callback] = ()) -> Callable[[], int]:
    """Set up one ``train`` leaf (see :mod:`hybrid_toolkit.cli.parser`); returns the job.

    ``callbacks`` run after the evaluation and checkpoint ones (a sweep trial reports there).

    Raises:
        ValueError: (or ``TypeError``) when the environment or the model refuses an option.
    """
    run, algo_name, env_name = args.run, args.algo_name, args.env_name
    apply_threads(run.threads)
    num_envs = int(getattr(args.algo, "num_envs", 1))
    env = make(env_name, num_envs=num_envs, device=run.device, config=args.env)
    eval_env = make_eval_env(env_name, args.env, run)
    model = get_algorithm(algo_name)(
        env, args.algo, seed=run.seed, device=run.device, verbose=run.verbose
    )

    def job() -> int:
        run_dir = make_run_dir(run.run_root, env_name, algo_name, run.seed)
        write_run_record(run_dir, args)
        return fit(model, eval_env, run, run_dir, callbacks)

    return job


def make_eval_env(env_name: str, env_config: Any, run: RunOptions) -> HybridEnv:
    """The environment of the periodic and final evaluations."""
    return make(env_name, num_envs=min(run.eval_episodes, 64), device=run.device, config=env_config)


def fit(
    model: BaseAlgorithm,
    eval_env: HybridEnv,
    run: RunOptions,
    run_dir: Path,
    extra_callbacks: Sequence[Callback] = (),
) -> int:
    """Train ``model`` up to ``run.total_timesteps`` (continuing from ``model.num_timesteps``
    when it is not 0), save it and report; returns the exit status."""
    callbacks: list[Callback] = []
    if run.eval_freq > 0:
        callbacks.append(
            EvalCallback(
                eval_env,
                eval_freq=run.eval_freq,
                n_eval_episodes=run.eval_episodes,
                best_model_save_path=str(run_dir),
                verbose=run.verbose,
            )
        )
    if run.checkpoint_freq > 0:
        callbacks.append(
            CheckpointCallback(
                save_freq=run.checkpoint_freq, save_path=str(run_dir / "checkpoints")
            )
        )
    callbacks.extend(extra_callbacks)
    resuming = model.num_timesteps > 0
    model.learn(
        run.total_timesteps - model.num_timesteps,
        callback=callbacks,
        log_interval=run.log_interval,
        progress_bar=run.progress_bar,
        reset_num_timesteps=not resuming,
        run_dir=run_dir,
    )
    model_path = model.save(run_dir / "model.zip")
    rows = result_lines(
        lambda obs: model.act(obs, deterministic=True),
        eval_env,
        run.eval_episodes,
        seed=run.seed + 10_000,
    )
    print(f"run directory : {run_dir}")
    print(f"model         : {model_path} ({model.num_timesteps} timesteps)")
    print(f"tensorboard   : tensorboard --logdir {run_dir.parent}")
    print_result(rows, "final eval    : ", indent=16)
    return 0

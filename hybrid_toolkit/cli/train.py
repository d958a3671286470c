"""``hybrid-toolkit train ALGO ENV``: train, evaluate, save, and say where everything went."""

from __future__ import annotations

from typing import Any

from hybrid_toolkit.algorithms import get_algorithm
from hybrid_toolkit.cli.options import apply_threads
from hybrid_toolkit.envs import make
from hybrid_toolkit.training import (
    Callback,
    CheckpointCallback,
    EvalCallback,
    evaluate_policy,
    make_run_dir,
)


def run_train(args: Any) -> int:
    """Run one ``train`` leaf (see :mod:`hybrid_toolkit.cli.parser`); returns the exit status."""
    run, algo_name, env_name = args.run, args.algo_name, args.env_name
    apply_threads(run.threads)
    algo_cls = get_algorithm(algo_name)
    num_envs = int(getattr(args.algo, "num_envs", 1))
    env = make(env_name, num_envs=num_envs, device=run.device, config=args.env)
    model = algo_cls(env, args.algo, seed=run.seed, device=run.device, verbose=run.verbose)
    run_dir = make_run_dir(run.run_root, env_name, algo_name, run.seed)
    eval_env = make(
        env_name, num_envs=min(run.eval_episodes, 64), device=run.device, config=args.env
    )
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
    model.learn(
        run.total_timesteps, callback=callbacks, progress_bar=run.progress_bar, run_dir=run_dir
    )
    model_path = model.save(run_dir / "model.zip")
    result = evaluate_policy(
        lambda obs: model.act(obs, deterministic=True),
        eval_env,
        run.eval_episodes,
        seed=run.seed + 10_000,
    )
    print(f"run directory : {run_dir}")
    print(f"model         : {model_path}")
    print(f"tensorboard   : tensorboard --logdir {run.run_root}")
    print(
        f"final eval    : mean return {result.mean_reward:.4f} ± {result.std_reward:.4f} over "
        f"{len(result.episode_rewards)} episodes"
    )
    return 0

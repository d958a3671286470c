"""``hybrid-toolkit eval MODEL``: evaluate a saved model."""

from __future__ import annotations

from pathlib import Path

from hybrid_toolkit.algorithms import load
from hybrid_toolkit.cli.options import EvalArgs, apply_threads
from hybrid_toolkit.envs import make
from hybrid_toolkit.training import evaluate_policy


def run_eval(args: EvalArgs) -> int:
    """Load ``args.model``, run ``args.episodes`` episodes and print the mean return."""
    if not Path(args.model).is_file():
        print(f"error: model file {args.model!r} does not exist")
        return 2
    apply_threads(args.threads)
    model = load(args.model, device=args.device)
    env_name = args.env or getattr(getattr(model.env, "spec", None), "name", "")
    env_config = getattr(model.env, "config", None) if not args.env else None
    env = make(env_name, num_envs=args.num_envs, device=args.device, config=env_config)
    result = evaluate_policy(
        lambda obs: model.act(obs, deterministic=args.deterministic),
        env,
        args.episodes,
        seed=args.seed,
    )
    print(
        f"{model.name} on {env_name}: mean return {result.mean_reward:.4f} ± "
        f"{result.std_reward:.4f}, mean episode length {result.mean_ep_length:.1f} over "
        f"{len(result.episode_rewards)} episodes"
    )
    return 0

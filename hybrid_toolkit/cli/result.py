"""The final result of ``train`` and ``eval``: the mean return, and the env's own yardsticks.

Returns alone are hard to judge (−78,755 on joint replenishment). Beside them this prints what
the environment reports where it has it:

* ``optimal_return`` (Target): the optimum and the gap to it;
* the family's scripted reference policy (maze, job shop, order-up-to, recommender, Platform,
  Goal, Hard Move; see :mod:`hybrid_toolkit.envs.references`): its mean return on the same
  episodes (same reset seed) and the gap to it;
* ``reported_metric`` (joint replenishment, switched LQR): the metric the papers and the docs
  quote (cost per period per item, ...), measured on one episode of every scenario of the
  evaluation env, and, where the env has a ``reference_policy``, that policy's value on the same
  scenarios (same reset seed) and the gap to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.envs.references import reference_policy_for
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.training import evaluate_policy

Act = Callable[[Tensor], HybridAction]


def result_lines(act: Act, env: HybridEnv, episodes: int, seed: int) -> list[tuple[str, str]]:
    """Evaluate ``act`` on ``env`` and describe the result as ``(label, text)`` rows.

    Args:
        act: Maps observations ``[B, *obs_shape]`` to actions (the trained policy).
        env: The evaluation env (reset with ``seed``).
        episodes: Episodes of the return statistics.
        seed: Seed of the evaluation scenarios (the reported metric and the reference policy
            see the same ones).

    Returns:
        ``("mean return", ...)`` first, then ``("optimum", ...)``, ``("reference", ...)``
        and/or the env's reported metric where the env has them. Every gap is the shortfall
        relative to the yardstick: positive when the policy does worse.
    """
    result = evaluate_policy(act, env, episodes, seed=seed)
    rows = [
        (
            "mean return",
            f"{result.mean_reward:.4f} ± {result.std_reward:.4f}, mean episode length "
            f"{result.mean_ep_length:.1f} over {len(result.episode_rewards)} episodes",
        )
    ]
    optimum = getattr(env, "optimal_return", None)
    if isinstance(optimum, int | float) and optimum:
        gap = 100.0 * (optimum - result.mean_reward) / abs(optimum)
        rows.append(("optimum", f"return {optimum:.4f}, gap {gap:.1f}%"))
    if has_reported_metric(env):
        rows.append(_reported_metric_row(act, env, seed))
    elif (reference := reference_policy_for(env)) is not None:
        ref = evaluate_policy(reference.policy, env, episodes, seed=seed).mean_reward
        gap = 100.0 * (ref - result.mean_reward) / abs(ref) if ref else float("nan")
        rows.append(
            (
                "reference",
                f"{reference.label}: return {ref:.4f} on the same episodes, gap {gap:+.1f}%",
            )
        )
    return rows


def has_reported_metric(env: HybridEnv) -> bool:
    """Whether ``env`` reports a metric of its own (a cost: lower is better)."""
    metric = getattr(env, "reported_metric", None)
    return callable(metric) and isinstance(getattr(env, "horizon", None), int)


def reported_metric_value(act: Act, env: Any, seed: int) -> float:
    """The env's reported metric of ``act`` on one episode of every scenario of ``env`` (reset
    with ``seed``); only for an env where :func:`has_reported_metric` holds."""
    return float(env.reported_metric(_episode_costs(env, act, seed)))


def _reported_metric_row(act: Act, env: Any, seed: int) -> tuple[str, str]:
    """The env's reported metric of ``act``, beside its reference policy's (lower is better)."""
    name = getattr(env, "reported_metric_name", "reported metric")
    value = reported_metric_value(act, env, seed)
    text = f"{value:.4g} over {env.num_envs} scenarios"
    reference = getattr(env, "reference_policy", None)
    if callable(reference):
        label, policy = reference()
        ref = reported_metric_value(lambda _obs: policy(env), env, seed)
        gap = 100.0 * (value - ref) / abs(ref) if ref else float("nan")
        text += f"; {label} {ref:.4g} on the same scenarios, gap {gap:+.1f}%"
    return name, text


def _episode_costs(env: Any, act: Act, seed: int) -> Tensor:
    """Per-step costs ``[B, horizon]`` (negated rewards) of one episode of every scenario."""
    costs = []
    with torch.no_grad():
        obs = env.reset(seed=seed)
        for _ in range(env.horizon):
            step = env.step(act(obs))
            costs.append(-step.reward)
            obs = step.obs
    return torch.stack(costs, dim=1)


def print_result(rows: list[tuple[str, str]], first: str, indent: int) -> None:
    """Print the rows of `result_lines`: the first after ``first``, the others indented.

    Example:
        >>> print_result([("mean return", "19.0"), ("optimum", "return 20.0, gap 5.0%")], "x: ", 3)
        x: mean return 19.0
           optimum return 20.0, gap 5.0%
    """
    for i, (label, text) in enumerate(rows):
        print(f"{first if i == 0 else ' ' * indent}{label} {text}")

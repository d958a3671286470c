"""The learning checks: one budget, one score and one threshold per (algorithm, task).

Each :class:`LearningCase` trains an algorithm from a seed on a tiny task with a known optimum
and scores the result. The default test suite runs every case at seed 0 and asserts the
threshold; ``hybrid-toolkit bench learning-sweep`` runs every case over several seeds and MKL
settings (RL training amplifies float rounding, so a threshold must hold for every seed and
every kernel choice, not for one seed on one CPU). Budgets and thresholds live only here, so the
tests and the sweep can never disagree.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import hybrid_toolkit as ht
from hybrid_toolkit.envs.families.target import TargetEnv
from hybrid_toolkit.training import evaluate_policy

_BANDIT_PPO: dict[str, Any] = {"gamma": 0.5, "learning_rate": 1e-3}
_BANDIT_QAC: dict[str, Any] = {"gamma": 0.5, "critic_lr": 1e-2}
_BANDIT_PROTO: dict[str, Any] = {
    "gamma": 0.5,
    "gradient_steps": 2,
    "critic_lr": 1e-3,
    "actor_hidden": (64, 64),
    "critic_hidden": (128, 128),
}
_BANDIT_HPO: dict[str, Any] = {
    "num_envs": 64,
    "n_steps": 8,
    "buffer_periods": 0,
    "gamma": 0.5,
    "learning_rate": 5e-3,
    "n_epochs": 3,
    "ent_coef": 0.05,
    "min_ent_coef": 0.001,
    "discrete_hidden": (64,),
    "continuous_hidden": (64,),
    "value_hidden": (64,),
    "continuous_shift": 0.0,
}
# A maze small enough to learn in seconds: two actuator slots, no walls.
_OPEN_MAZE_DNC: dict[str, Any] = {"layout": "open", "n_slots": 2}
_OPEN_MAZE_DGRL: dict[str, Any] = {"layout": "open", "n_slots": 2, "n_actuators": 5}
# LAR on the same maze: a 2,000-step random warm-up, short pre-training at a higher rate.
_OPEN_MAZE_LAR: dict[str, Any] = {
    "fourier_order": 3,
    "exploration_std": 0.5,
    "buffer_size": 2_000,
    "pretrain_epochs": 40,
    "pretrain_lr": 5e-3,
}


@dataclass(frozen=True)
class LearningCase:
    """One learning check.

    Attributes:
        name: Identifier used by the tests and the sweep (``"ppo-target-regime"``).
        algorithm: Registry name of the algorithm trained.
        task: What is learned, in words (for the docs table).
        score_name: What the score measures (for messages and the docs table).
        threshold: The score every seed must reach (or stay under, see ``higher_is_better``).
        chance: The score of the uniformly random policy, for context.
        train_and_score: ``seed -> score``.
        higher_is_better: Direction of the threshold.
    """

    name: str
    algorithm: str
    task: str
    score_name: str
    threshold: float
    chance: float
    train_and_score: Callable[[int], float]
    higher_is_better: bool = True

    def passes(self, score: float) -> bool:
        """Whether ``score`` meets the threshold (a NaN score never does)."""
        if self.higher_is_better:
            return score >= self.threshold
        return score <= self.threshold

    def check(self, seed: int = 0) -> float:
        """Train and score at ``seed``; raise ``AssertionError`` below the threshold."""
        score = self.train_and_score(seed)
        relation = ">=" if self.higher_is_better else "<="
        assert self.passes(score), (
            f"{self.name} (seed {seed}): {self.score_name} {score:.4f}, expected {relation} "
            f"{self.threshold} (chance: {self.chance})"
        )
        return score


def fraction_of_optimum(model: ht.BaseAlgorithm, env_id: str, **env_kw: Any) -> float:
    """Mean evaluation return of the greedy policy over 64 fixed episodes / optimal return."""
    env = ht.make(env_id, num_envs=32, **env_kw)
    if not isinstance(env, TargetEnv):
        raise TypeError(f"{env_id} has no known optimum; expected one of the Target envs")
    result = evaluate_policy(lambda o: model.act(o, deterministic=True), env, 64, seed=123)
    return float(result.mean_reward / env.optimal_return)


def maze_solved_fraction(
    model: ht.BaseAlgorithm, maze: dict[str, Any], goal_reward: float
) -> float:
    """Fraction of 32 episodes from the evaluation start that reached the goal."""
    env = ht.make("Maze-v0", num_envs=32, start="eval", **maze)
    result = evaluate_policy(lambda o: model.act(o, deterministic=True), env, 32, seed=0)
    return sum(r > goal_reward for r in result.episode_rewards) / len(result.episode_rewards)


def _target(
    algo: str, env_id: str, steps: int, preset: str | None = None, **kw: Any
) -> Callable[[int], float]:
    def run(seed: int) -> float:
        cls = ht.get_algorithm(algo)
        model = cls(env_id, preset, seed=seed, verbose=0, **kw).learn(steps)
        return fraction_of_optimum(model, env_id)

    return run


def _median_of(runs: int, train_and_score: Callable[[int], float]) -> Callable[[int], float]:
    """The median score of ``runs`` trainings (seeds ``runs * seed`` … ``runs * seed + runs - 1``).

    For an algorithm that settles in a poor local optimum on a minority of seeds (H-Cacla picks
    the wrong regime on about one seed in five), the statement that holds on every machine is
    about the typical run, not about every run.
    """

    def run(seed: int) -> float:
        return statistics.median(train_and_score(runs * seed + i) for i in range(runs))

    return run


def _dnc_open_maze(seed: int) -> float:
    env = ht.make("Maze-v0", num_envs=16, **_OPEN_MAZE_DNC)
    model = ht.DNC(env, seed=seed, verbose=0, fourier_order=3).learn(16_000)
    return maze_solved_fraction(model, _OPEN_MAZE_DNC, goal_reward=5.0)


def _lar_open_maze(seed: int) -> float:
    env = ht.make("Maze-v0", num_envs=16, **_OPEN_MAZE_DNC)
    model = ht.LAR(env, seed=seed, verbose=0, **_OPEN_MAZE_LAR).learn(24_000)
    return maze_solved_fraction(model, _OPEN_MAZE_DNC, goal_reward=5.0)


def _dgrl_small_maze(seed: int) -> float:
    env = ht.make("Maze-v0", num_envs=16, **_OPEN_MAZE_DGRL)
    model = ht.DGRL(env, "maze", seed=seed, verbose=0).learn(10_000)
    return maze_solved_fraction(model, _OPEN_MAZE_DGRL, goal_reward=0.0)


def _vac_target(seed: int) -> float:
    target: dict[str, Any] = {"n_components": 2}  # 25 actions
    env = ht.make("TargetMultiDiscrete-v0", num_envs=16, **target)
    model = ht.VAC(env, seed=seed, verbose=0, gamma=0.5, actor_lr=3e-3).learn(10_000)
    return fraction_of_optimum(model, "TargetMultiDiscrete-v0", **target)


_CASES = [
    LearningCase(
        "ppo-target-regime",
        "ppo",
        "TargetRegime-v0, 40k steps",
        "fraction of optimum",
        0.95,
        -0.33,
        _target("ppo", "TargetRegime-v0", 40_000, **_BANDIT_PPO),
    ),
    LearningCase(
        "ppo-target-multi-discrete",
        "ppo",
        "TargetMultiDiscrete-v0, 40k steps",
        "fraction of optimum",
        0.95,
        0.60,
        _target("ppo", "TargetMultiDiscrete-v0", 40_000, **_BANDIT_PPO),
    ),
    LearningCase(
        "ppo-target-hybrid",
        "ppo",
        "TargetHybrid-v0, 40k steps",
        "fraction of optimum",
        0.95,
        0.47,
        _target("ppo", "TargetHybrid-v0", 40_000, **_BANDIT_PPO),
    ),
    LearningCase(
        "hpo-target-regime",
        "hpo",
        "TargetRegime-v0, 30 updates",
        "fraction of optimum",
        0.95,
        -0.33,
        _target("hpo", "TargetRegime-v0", 64 * 8 * 30, **_BANDIT_HPO),
    ),
    LearningCase(
        "hpo-target-hybrid",
        "hpo",
        "TargetHybrid-v0, 60 updates",
        "fraction of optimum",
        0.90,
        0.47,
        _target("hpo", "TargetHybrid-v0", 64 * 8 * 60, **_BANDIT_HPO),
    ),
    LearningCase(
        "dnc-target-multi-discrete",
        "dnc",
        "TargetMultiDiscrete-v0, 16k steps",
        "fraction of optimum",
        0.85,
        0.60,
        _target("dnc", "TargetMultiDiscrete-v0", 16_000, **_BANDIT_QAC),
    ),
    LearningCase(
        "h-dnc-target-hybrid",
        "h-dnc",
        "TargetHybrid-v0, 8k steps",
        "fraction of optimum",
        0.75,
        0.47,
        _target("h-dnc", "TargetHybrid-v0", 8_000, **_BANDIT_QAC),
    ),
    LearningCase(
        "dnc-open-maze",
        "dnc",
        "open maze, 2 slots (17^2 actions), 16k steps",
        "goal reached (fraction of episodes)",
        0.9,
        0.0,
        _dnc_open_maze,
    ),
    LearningCase(
        "lar-open-maze",
        "lar",
        "open maze, 2 slots (17^2 actions), 24k steps incl. 2k random",
        "goal reached (fraction of episodes)",
        0.9,
        0.0,
        _lar_open_maze,
    ),
    LearningCase(
        "dgrl-target-multi-discrete",
        "dgrl",
        "TargetMultiDiscrete-v0, 8k steps",
        "fraction of optimum",
        0.93,
        0.60,
        # 8k: symmetric DBU perturbations on these ordinal levels (the default) reach 0.943-0.969
        # at 6k, too close to the threshold; 0.987-0.994 at 8k (seeds 0, 1, 3)
        _target("dgrl", "TargetMultiDiscrete-v0", 8_000, **_BANDIT_PROTO),
    ),
    LearningCase(
        "dgrl-small-maze",
        "dgrl",
        "open maze, 2 slots x 5 actuators, 10k steps",
        "goal reached (fraction of episodes)",
        0.75,
        0.0,
        _dgrl_small_maze,
    ),
    LearningCase(
        "h-cacla-target-regime",
        "h-cacla",
        "TargetRegime-v0, 6k steps, median of 3 seeds",
        "fraction of optimum (median of 3 runs)",
        0.93,
        -0.33,
        _median_of(3, _target("h-cacla", "TargetRegime-v0", 6_000, **_BANDIT_PROTO)),
    ),
    LearningCase(
        "hyar-target-regime",
        "hyar",
        "TargetRegime-v0, 6k steps (target preset)",
        "fraction of optimum",
        0.93,
        -0.33,
        _target("hyar", "TargetRegime-v0", 6_000, "target"),
    ),
    LearningCase(
        "cacla-target-multi-discrete",
        "cacla",
        "TargetMultiDiscrete-v0, 10k steps",
        "fraction of optimum",
        0.9,
        0.60,
        _target("cacla", "TargetMultiDiscrete-v0", 10_000, gamma=0.5),
    ),
    LearningCase(
        "wolpertinger-target-multi-discrete",
        "wolpertinger",
        "TargetMultiDiscrete-v0, 10k steps",
        "fraction of optimum",
        0.85,
        0.60,
        _target("wolpertinger", "TargetMultiDiscrete-v0", 10_000, **_BANDIT_QAC),
    ),
    LearningCase(
        "vac-target-25-actions",
        "vac",
        "TargetMultiDiscrete-v0 (25 actions), 10k steps",
        "fraction of optimum",
        0.80,
        0.60,
        _vac_target,
    ),
]

LEARNING_CASES: dict[str, LearningCase] = {case.name: case for case in _CASES}
"""Every learning check, by name."""

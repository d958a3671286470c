"""Step-for-step comparison of our Platform and Goal with the original gym ports.

Why this stays a script in ``benchmarks/`` and is neither a ``hybrid-toolkit bench`` suite nor
a test of the default run: it measures nothing (it is a one-off correctness check, recorded on
the env pages), and it needs the user's own checkouts of third-party code that this package
does not ship or download. ``tests/bench/test_benchmarks_folder.py`` imports it, so it cannot
rot unseen.

Not a benchmark of speed: a correctness check that needs checkouts of the MIT-licensed
``cycraig/gym-platform`` and ``cycraig/gym-goal`` (nothing of them is shipped here). The
reference modules are imported from those checkouts with tiny stand-ins for ``gym`` and
``pygame`` (only ``spaces``, ``seeding`` and a base class are used), their noise constants are
set to 0, and both implementations are stepped with the same actions from the same states:
random actions for half of the episodes and our (noise-free) planners for the other half, so
solved episodes and goals are compared too. Every step's
observation, reward, termination flag and internal frame count must agree (observations to
float32 precision).

Usage::

    git clone https://github.com/cycraig/gym-platform /tmp/gym-platform
    git clone https://github.com/cycraig/gym-goal /tmp/gym-goal
    python benchmarks/crosscheck_classic_envs.py --gym-platform /tmp/gym-platform \\
        --gym-goal /tmp/gym-goal
"""

from __future__ import annotations

import importlib
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import gymnasium
import numpy as np
import torch
import tyro

from hybrid_toolkit.envs import make
from hybrid_toolkit.envs.families.goal import GoalEnv
from hybrid_toolkit.envs.families.goal import physics as goal_ph
from hybrid_toolkit.envs.families.goal.policies import GoalPlannerPolicy
from hybrid_toolkit.envs.families.platform.policies import PlatformRolloutPolicy
from hybrid_toolkit.spaces import HybridAction


@dataclass(frozen=True)
class Args:
    """Where the reference checkouts are, and how much to compare."""

    gym_platform: Path
    """Checkout of cycraig/gym-platform (the folder holding ``gym_platform/``)."""
    gym_goal: Path
    """Checkout of cycraig/gym-goal (the folder holding ``gym_goal/``)."""
    episodes: int = 40
    """Episodes per env (half of them driven by our planner)."""
    seed: int = 0


def install_stand_ins() -> None:
    """Minimal ``gym`` and ``pygame`` modules: the reference envs only need these names."""
    gym = types.ModuleType("gym")
    gym.spaces = gymnasium.spaces  # type: ignore[attr-defined]
    gym.Env = type("Env", (), {})  # type: ignore[attr-defined]
    error = types.ModuleType("gym.error")
    error.InvalidAction = type("InvalidAction", (Exception,), {})  # type: ignore[attr-defined]
    utils = types.ModuleType("gym.utils")
    utils.seeding = gymnasium.utils.seeding  # type: ignore[attr-defined]
    envs = types.ModuleType("gym.envs")
    registration = types.ModuleType("gym.envs.registration")
    registration.register = lambda **kwargs: None  # type: ignore[attr-defined]
    gym.error, gym.utils, gym.envs = error, utils, envs  # type: ignore[attr-defined]
    modules = {
        "gym": gym,
        "gym.error": error,
        "gym.utils": utils,
        "gym.envs": envs,
        "gym.envs.registration": registration,
        "pygame": types.ModuleType("pygame"),
    }
    sys.modules.update(modules)


def check_platform(args: Args) -> int:
    sys.path.insert(0, str(args.gym_platform))
    ref_module = importlib.import_module("gym_platform.envs.platform_env")
    constants = ref_module.Constants
    constants.ENEMY_NOISE = constants.PLAYER_NOISE = 0.0
    constants.HOP_DEV = constants.LEAP_DEV = 0.0
    ref = ref_module.PlatformEnv()
    ref.np_random = np.random.RandomState(args.seed)
    ref._update_seeds()
    ours = make("Platform-v0", num_envs=1, noise_scale=0.0)
    planner = PlatformRolloutPolicy(ours)  # type: ignore[arg-type]
    rng = np.random.default_rng(args.seed)
    steps = solved = 0
    for episode in range(args.episodes):
        ref.reset()
        obs = ours.reset()
        for _ in range(200):
            if episode % 2 == 0:
                action = planner(obs)
            else:
                params = rng.uniform(0, [30, 720, 430])[None]
                choice = torch.tensor([[int(rng.integers(3))]])
                action = HybridAction(choice, torch.as_tensor(params, dtype=torch.float32))
            k = int(action.discrete[0, 0])
            params = action.continuous[0].double().numpy()
            (ref_obs, ref_frames), ref_reward, ref_done, _ = ref.step(
                (k, tuple(np.array([p]) for p in params))
            )
            step = ours.step(action)
            obs = step.obs
            error = float(np.abs(step.info["final_obs"][0].double().numpy() - ref_obs).max())
            same = (
                error < 1e-5
                and abs(ref_reward - float(step.reward[0])) < 1e-5
                and ref_done == bool(step.terminated[0])
                and ref_frames == int(step.info["frames"][0])
            )
            if not same:
                print(f"Platform: mismatch in episode {episode}: action {k} {params}")
                return 1
            steps += 1
            if ref_done:
                solved += int(step.info["success"][0])
                break
    print(f"Platform: {steps} steps identical over {args.episodes} episodes ({solved} solved)")
    return 0


def _load_goal_state(ours: GoalEnv, ref: object) -> None:
    def t(values: object) -> torch.Tensor:
        return torch.tensor(np.asarray(values, dtype=np.float64)).reshape(1, -1)

    p, k, b = ref.player, ref.goalie, ref.ball  # type: ignore[attr-defined]
    ours.state = goal_ph.GoalState(
        t(p.position), t(p.velocity), t([p.orientation])[0],
        t(k.position), t(k.velocity), t([k.orientation])[0],
        t(b.position), t(b.velocity),
    )  # fmt: skip
    ours.elapsed[:] = ref.time  # type: ignore[attr-defined]


def check_goal(args: Args) -> int:
    sys.path.insert(0, str(args.gym_goal))
    ref_module = importlib.import_module("gym_goal.envs.goal_env")
    ref_module.PLAYER_CONFIG["RAND"] = 0.0
    ref_module.BALL_CONFIG["RAND"] = 0.0
    ref = ref_module.GoalEnv()
    ref.np_random = np.random.RandomState(args.seed)
    ours = make("Goal-v0", num_envs=1, noise_scale=0.0, validate_actions=False)
    assert isinstance(ours, GoalEnv)
    planner = GoalPlannerPolicy(ours, samples=0)
    rng = np.random.default_rng(args.seed)
    steps = goals = 0
    for episode in range(args.episodes):
        ref.reset()
        ours.reset()
        _load_goal_state(ours, ref)
        for _ in range(100):
            if episode % 2 == 0:
                planned = planner(torch.zeros(1, 17))
                k = int(planned.discrete[0, 0])
                kick = planned.continuous[0, :2].double().numpy()
                shots = planned.continuous[0, 1 + k : 2 + k].double().numpy().repeat(2)
            else:
                k = int(rng.integers(3)) if rng.random() < 0.5 else 0
                kick = np.array([rng.uniform(0, 12), rng.uniform(-15, 15)])
                shots = rng.uniform(-7.01, 7.01, 2)
            (ref_obs, ref_frames), ref_reward, ref_done, _ = ref.step(
                (k, (kick, shots[:1], shots[1:]))
            )
            params = torch.tensor([[*kick, *shots]], dtype=torch.float32)
            step = ours.step(HybridAction(torch.tensor([[k]]), params))
            final = step.info["final_obs"][0:1]
            unscaled = ours.unscale(final)[0, :14].numpy()
            expected = np.array(ref_obs, dtype=np.float64)
            for i in (4, 9):  # we observe orientations wrapped into [-pi, pi)
                expected[i] = (expected[i] + np.pi) % (2 * np.pi) - np.pi
            clipped = bool((final.abs() >= 2.0).any())
            error = 0.0 if clipped else float(np.abs(unscaled - expected).max())
            same = (
                error < 1e-4
                and abs(ref_reward - float(step.reward[0])) < 1e-4
                and ref_done == bool(step.terminated[0])
                and ref_frames == int(step.info["frames"][0])
            )
            if not same:
                print(f"Goal: mismatch at step {steps}: action {k}, error {error}")
                return 1
            steps += 1
            if ref_done:
                goals += int(ref_reward == 50)
                break
            _load_goal_state(ours, ref)
    print(f"Goal: {steps} steps identical over {args.episodes} episodes ({goals} goals)")
    return 0


def main(args: Args) -> int:
    torch.set_num_threads(1)
    install_stand_ins()
    return check_platform(args) or check_goal(args)


if __name__ == "__main__":
    raise SystemExit(main(tyro.cli(Args)))

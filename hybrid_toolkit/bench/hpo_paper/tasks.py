"""The reproduction's tasks: joint replenishment and switched LQR instances, and their references.

A task names one instance (``jrp`` with ``n`` items, or ``lqr`` with ``n`` states and ``M``
modes); :func:`task_env` builds its training env and :func:`reference_costs` evaluates the
environment family's reference policies on the dev and test splits — the tuned joint (s, S)
policy for joint replenishment, the fixed-mode / lookahead / value-set Riccati controllers for
switched LQR.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

from hybrid_toolkit.envs import HybridEnv, make
from hybrid_toolkit.envs.families.inventory import JointReplenishmentConfig
from hybrid_toolkit.envs.families.inventory.policies import evaluate_policy as evaluate_jrp
from hybrid_toolkit.envs.families.inventory.policies import tune_joint_ss
from hybrid_toolkit.envs.families.lqr import (
    SwitchedLQRConfig,
    SwitchedRiccatiPolicy,
    make_system,
)
from hybrid_toolkit.envs.families.lqr import evaluate_policy as evaluate_lqr
from hybrid_toolkit.envs.families.lqr.policies import default_directions

Family = Literal["jrp", "lqr"]
SAFETY_GRID = (-4.0, -3.25, -2.5, -1.75, -1.0, -0.25, 0.5, 1.25, 2.0)
"""Safety factors of the (s, S) search: wider than the default, whose lower end (-1) is above
the optimum from n = 10 items on (the env docs' reference table uses the same grid)."""
CYCLE_GRID = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
"""Cycle lengths of the (s, S) search (periods of mean demand)."""


@dataclass(frozen=True)
class Task:
    """One instance of the reproduction.

    Attributes:
        family: ``jrp`` (heterogeneous joint replenishment) or ``lqr`` (switched LQR).
        n: Items (JRP) or state dimension (LQR).
        modes: Number of LQR modes (1 for JRP).
    """

    family: Family
    n: int
    modes: int = 1

    @property
    def key(self) -> str:
        """Identifier used in file names and tables, e.g. ``jrp_n5`` or ``lqr_n5_m2``."""
        return f"jrp_n{self.n}" if self.family == "jrp" else f"lqr_n{self.n}_m{self.modes}"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return f"JRP n={self.n}" if self.family == "jrp" else f"LQR n={self.n} M={self.modes}"

    @property
    def continuous_dim(self) -> int:
        """Dimension of the executed continuous action (the paper's x-axis): ``n``."""
        return self.n

    @property
    def env_id(self) -> str:
        """Registered env id."""
        return "JointReplenishment-v0" if self.family == "jrp" else "SwitchedLQR-v0"

    def config(self) -> JointReplenishmentConfig | SwitchedLQRConfig:
        """The env family config of this instance."""
        if self.family == "jrp":
            return JointReplenishmentConfig(n_items=self.n)
        return SwitchedLQRConfig(state_dim=self.n, n_modes=self.modes)


def task_env(task: Task, num_envs: int, device: str) -> HybridEnv:
    """The training env of ``task`` (actions unchecked: the algorithms emit valid ones)."""
    return make(task.env_id, num_envs, device, config=task.config(), validate_actions=False)


@dataclass(frozen=True)
class References:
    """Reference-policy costs of one task (reported metric; lower is better).

    Attributes:
        name: The best reference policy's name.
        dev: Its dev cost (the target the runs are measured against).
        test: Its test cost.
        others: ``{policy name: test cost}`` of every reference evaluated.
    """

    name: str
    dev: float
    test: float
    others: dict[str, float]


def reference_costs(task: Task, device: str = "cpu") -> References:
    """Evaluate the family's reference policies of ``task`` on dev and test."""
    if task.family == "jrp":
        config = JointReplenishmentConfig(n_items=task.n)
        tuned = tune_joint_ss(config, SAFETY_GRID, CYCLE_GRID, device=device)
        tuned_test = evaluate_jrp(tuned.policy, config, "test", device=device)
        return References(
            "tuned (s, S)", tuned.dev_metric, tuned_test, {"tuned (s, S)": tuned_test}
        )
    lqr = SwitchedLQRConfig(state_dim=task.n, n_modes=task.modes)
    system = make_system(lqr)
    directions = default_directions(task.n, 4096 if task.n <= 2 else 1024)
    policies = {
        f"riccati(mode={m})": SwitchedRiccatiPolicy.fixed_mode(system, m, lqr.horizon)
        for m in range(task.modes)
    }
    policies["lookahead"] = SwitchedRiccatiPolicy.lookahead(system, lqr.horizon)
    policies["value set"] = SwitchedRiccatiPolicy.value_set(
        system, lqr.horizon, directions, max_size=32
    )
    with torch.no_grad():
        dev = {name: evaluate_lqr(p, lqr, "dev", device=device) for name, p in policies.items()}
        test = {name: evaluate_lqr(p, lqr, "test", device=device) for name, p in policies.items()}
    best = min(dev, key=lambda name: dev[name])
    return References(best, dev[best], test[best], test)

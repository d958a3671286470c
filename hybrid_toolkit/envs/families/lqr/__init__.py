"""Switched-LQR env of the HPO paper and its reference controllers; importing registers ids.

* ``SwitchedLQR-v0``: the spec's matrix generator (default ``n = 3``, ``M = 2``).
* ``SwitchedLQR2D-v0``: the hand-specified two-mode 2-D example (dev/test 4096 scenarios).
"""

from hybrid_toolkit.envs.families.lqr.config import SwitchedLQRConfig
from hybrid_toolkit.envs.families.lqr.env import SwitchedLQREnv
from hybrid_toolkit.envs.families.lqr.policies import (
    RandomLQRPolicy,
    SwitchedRiccatiPolicy,
    evaluate_policy,
    rollout_costs,
)
from hybrid_toolkit.envs.families.lqr.riccati import (
    fixed_mode_riccati,
    min_quadratic,
    mode_sequence_values,
    riccati_map,
)
from hybrid_toolkit.envs.families.lqr.scenarios import SPLITS, initial_states, reported_metric
from hybrid_toolkit.envs.families.lqr.systems import (
    SwitchedLinearSystem,
    generate_switched_lqr_matrices,
    make_system,
    paper_2d_system,
)
from hybrid_toolkit.envs.registry import register_env

register_env(
    "SwitchedLQR-v0",
    SwitchedLQREnv,
    SwitchedLQRConfig,
    description="HPO switched LQR: generated n-dim system with M modes, T = 20",
)
register_env(
    "SwitchedLQR2D-v0",
    SwitchedLQREnv,
    SwitchedLQRConfig,
    description="HPO switched LQR: the hand-specified two-mode 2-D example",
    system="paper_2d",
    state_dim=2,
    n_modes=2,
    num_eval_scenarios=4096,
)

__all__ = [
    "SPLITS",
    "RandomLQRPolicy",
    "SwitchedLQRConfig",
    "SwitchedLQREnv",
    "SwitchedLinearSystem",
    "SwitchedRiccatiPolicy",
    "evaluate_policy",
    "fixed_mode_riccati",
    "generate_switched_lqr_matrices",
    "initial_states",
    "make_system",
    "min_quadratic",
    "mode_sequence_values",
    "paper_2d_system",
    "reported_metric",
    "riccati_map",
    "rollout_costs",
]

"""``hybrid-toolkit bench classic-envs``: HyAR, PPO and DGRL beside the HyAR paper's Table 2."""

from hybrid_toolkit.bench.classic_envs.suite import ClassicEnvsOptions, run

__all__ = ["ClassicEnvsOptions", "run"]

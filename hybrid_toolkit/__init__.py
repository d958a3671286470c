"""hybrid_toolkit: reinforcement learning for hybrid discrete-continuous action spaces.

Examples:
    Quick start: train, save and load a model.

    >>> import hybrid_toolkit as ht
    >>> model = ht.PPO("TargetRegime-v0", seed=0).learn(20_000)
    >>> model.save("ppo_target.zip"); model = ht.load("ppo_target.zip")
"""

from importlib.metadata import PackageNotFoundError, version

from hybrid_toolkit.algorithms import (
    DGRL,
    DNC,
    HDNC,
    HPO,
    LAR,
    PPO,
    VAC,
    BaseAlgorithm,
    Cacla,
    DGRLConfig,
    DNCConfig,
    HCacla,
    HCaclaConfig,
    HPOConfig,
    HyAR,
    HyARConfig,
    PPOConfig,
    Wolpertinger,
    get_algorithm,
    list_algorithms,
    load,
)
from hybrid_toolkit.envs import HybridEnv, Step, env_spec, list_envs, make, register_env
from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace
from hybrid_toolkit.training import NonFiniteTrainingError, plot_runs

try:
    __version__ = version("hybrid-toolkit")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+local"

__all__ = [
    "DGRL",
    "DNC",
    "HDNC",
    "HPO",
    "LAR",
    "PPO",
    "VAC",
    "BaseAlgorithm",
    "Cacla",
    "DGRLConfig",
    "DNCConfig",
    "DiscreteComponent",
    "HCacla",
    "HCaclaConfig",
    "HPOConfig",
    "HyAR",
    "HyARConfig",
    "HybridAction",
    "HybridEnv",
    "HybridSpace",
    "NonFiniteTrainingError",
    "PPOConfig",
    "Step",
    "Wolpertinger",
    "__version__",
    "env_spec",
    "get_algorithm",
    "list_algorithms",
    "list_envs",
    "load",
    "make",
    "plot_runs",
    "register_env",
]

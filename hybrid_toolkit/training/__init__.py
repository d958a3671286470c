"""The training layer: one trainer loop, callbacks, logger, checkpoints and evaluation.

Algorithms implement `TrainableAlgorithm` and call `train`; this package never
imports a concrete algorithm.
"""

from hybrid_toolkit.training.callbacks import (
    Callback,
    CallbackList,
    CheckpointCallback,
    EvalCallback,
    ProgressBarCallback,
    StopTrainingOnRewardThreshold,
    TrainingContext,
    as_callback_list,
)
from hybrid_toolkit.training.checkpoint import FORMAT_VERSION, Checkpoint, CheckpointError
from hybrid_toolkit.training.checkpoint_load import load_checkpoint
from hybrid_toolkit.training.checkpoint_save import save_checkpoint
from hybrid_toolkit.training.episode_stats import EpisodeStats
from hybrid_toolkit.training.evaluation import EvalResult, evaluate_policy
from hybrid_toolkit.training.learning_curves import Curves, GroupCurve, load_curves
from hybrid_toolkit.training.logger import Logger, configure_logger
from hybrid_toolkit.training.nonfinite import NonFiniteTrainingError
from hybrid_toolkit.training.plotting import draw_curves, plot_runs
from hybrid_toolkit.training.protocol import TrainableAlgorithm
from hybrid_toolkit.training.run_dir import make_run_dir
from hybrid_toolkit.training.trainer import train

__all__ = [
    "FORMAT_VERSION",
    "Callback",
    "CallbackList",
    "Checkpoint",
    "CheckpointCallback",
    "CheckpointError",
    "Curves",
    "EpisodeStats",
    "EvalCallback",
    "EvalResult",
    "GroupCurve",
    "Logger",
    "NonFiniteTrainingError",
    "ProgressBarCallback",
    "StopTrainingOnRewardThreshold",
    "TrainableAlgorithm",
    "TrainingContext",
    "as_callback_list",
    "configure_logger",
    "draw_curves",
    "evaluate_policy",
    "load_checkpoint",
    "load_curves",
    "make_run_dir",
    "plot_runs",
    "save_checkpoint",
    "train",
]

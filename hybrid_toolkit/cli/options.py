"""Argument dataclasses of the ``hybrid-toolkit`` subcommands that are not generated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import torch
import tyro


@dataclass
class RunOptions:
    """Options every ``train`` run shares, whatever the algorithm and environment."""

    total_timesteps: int = 50_000
    """Environment steps to train for (summed over the batch of scenarios)."""
    seed: int = 0
    """Seed of network initialisation, action sampling and the environment."""
    device: str = "cpu"
    """Torch device, e.g. cpu or cuda."""
    threads: int = 1
    """torch.set_num_threads: CPU threads per operation (small RL networks and batches run
    fastest on one; extra threads mostly wait for each other); 0 keeps torch's default."""
    run_root: str = "runs"
    """Parent folder of the run directory <env>__<algo>__<seed>__<time>/."""
    eval_episodes: int = 32
    """Episodes of the deterministic policy evaluated at the end (and at each eval)."""
    eval_freq: int = 0
    """Evaluate (and keep best_model.zip) every this many timesteps; 0 only at the end."""
    checkpoint_freq: int = 0
    """Write a checkpoint every this many timesteps; 0 disables periodic checkpoints."""
    progress_bar: bool = True
    """Show a progress bar."""
    verbose: int = 1
    """0 silent, 1 progress table on stdout."""


@dataclass
class ListArgs:
    """List the registered algorithms and environments."""

    kind: Annotated[str, tyro.conf.arg(help="what to list: all, algos, envs or bench")] = "all"


@dataclass
class EvalArgs:
    """Evaluate a saved model on its environment (or another registered one)."""

    model: Annotated[tyro.conf.Positional[str], tyro.conf.arg(metavar="MODEL")]
    """Path of a model .zip written by save() or by `hybrid-toolkit train`."""
    env: str = ""
    """Registered env id to evaluate on; empty means the env the model was trained on."""
    episodes: int = 32
    """Episodes to run."""
    num_envs: int = 16
    """Scenarios stepped as one batch."""
    seed: int = 1000
    """Seed of the evaluation scenarios."""
    deterministic: bool = True
    """Greedy actions (argmax + mean) instead of sampled ones."""
    device: str = "cpu"
    """Torch device."""
    threads: int = 1
    """torch.set_num_threads (see train's --run.threads); 0 keeps torch's default."""


def apply_threads(threads: int) -> None:
    """``torch.set_num_threads(threads)`` unless ``threads`` is 0; negative values raise."""
    if threads < 0:
        raise ValueError(f"threads must be >= 0 (0 keeps torch's default), got {threads}")
    if threads:
        torch.set_num_threads(threads)

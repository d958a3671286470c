"""Argument dataclasses of the ``hybrid-toolkit`` subcommands that are not generated."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import torch
import tyro

from hybrid_toolkit.utils.config import check_fields
from hybrid_toolkit.utils.device import resolve_device


@dataclass
class RunOptions:
    """Options every `train` run shares, whatever the algorithm and environment."""

    total_timesteps: int = 50_000
    """Environment steps to train for (summed over the batch of scenarios)."""
    seed: int = 0
    """Seed of network initialisation, action sampling and the environment."""
    device: str = "auto"
    """Torch device: auto (CUDA when available, else cpu), cpu, cuda or cuda:N."""
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
    log_interval: int = 0
    """Iterations between two stdout progress tables (the last iteration always prints one);
    0 picks the interval that prints about 100 tables per run. progress.csv and TensorBoard
    get every iteration either way."""

    def __post_init__(self) -> None:
        check_fields(
            self,
            {
                "total_timesteps": (_is_int(self.total_timesteps, 1), "an integer >= 1"),
                "seed": (_is_int(self.seed, 0), "an integer >= 0"),
                "threads": (_is_int(self.threads, 0), "an integer >= 1, or 0 for torch's default"),
                "run_root": (_is_folder_path(self.run_root), "a folder path (not a file)"),
                "eval_episodes": (_is_int(self.eval_episodes, 1), "an integer >= 1"),
                "eval_freq": (_is_int(self.eval_freq, 0), "an integer >= 0 (0: only at the end)"),
                "checkpoint_freq": (_is_int(self.checkpoint_freq, 0), "an integer >= 0 (0: none)"),
                "verbose": (_is_int(self.verbose, 0), "an integer >= 0"),
                "log_interval": (
                    _is_int(self.log_interval, 0),
                    "an integer >= 0 (0: about 100 tables per run)",
                ),
            },
        )
        resolve_device(self.device, name="RunOptions.device")


def _is_int(value: object, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _is_folder_path(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not Path(value).is_file()


@dataclass
class ResumeOptions:
    """What `train --resume` may change; everything else comes from the run directory."""

    total_timesteps: int = 0
    """New total (not additional) timesteps of the run; 0 keeps the run's recorded total."""
    progress_bar: bool = True
    """Show a progress bar."""
    verbose: int = 1
    """0 silent, 1 progress table on stdout."""
    device: str = ""
    """Torch device of the continued run; empty keeps the recorded one."""


@dataclass
class ResumeArgs:
    """Continue a run of `hybrid-toolkit train` from its newest checkpoint."""

    resume: Annotated[str, tyro.conf.arg(metavar="RUN_DIR")]
    """Run directory written by `hybrid-toolkit train` (holds config.json and checkpoints/)."""
    run: ResumeOptions = field(default_factory=ResumeOptions)
    """Options of the continued run."""


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


@dataclass
class PlotArgs:
    """Plot learning curves of run directories: per algorithm, the median and interquartile
    band across seeds, and the env's optimum where known."""

    run_dirs: Annotated[
        tyro.conf.Positional[tuple[str, ...]],
        tyro.conf.arg(metavar="RUN_DIR...", help_behavior_hint="(required)"),
    ]
    """Run directories written by training, or folders holding them (searched recursively)."""
    key: str = "rollout/ep_rew_mean"
    """Logged key to plot (a progress.csv column or TensorBoard tag: eval/mean_reward …)."""
    x: str = "time/total_timesteps"
    """Logged key of the x axis."""
    out: tuple[str, ...] = ("curves.png",)
    """Files to write; the suffix picks the format: .png, .svg or .pdf (several allowed)."""
    reference: str = "auto"
    """Horizontal line: a number, none, or auto (a Target env's optimal return, for returns)."""
    group_by: Literal["algorithm", "env", "run"] = "algorithm"
    """One curve per algorithm (median and band across its runs), per env, or per run."""
    title: str = ""
    """Plot title; empty: the environment(s) of the runs."""


@dataclass
class SweepArgs:
    """Search train's --algo.*, --env.* and --run.* fields with Ray Tune (the [tune] extra):
    one ordinary run directory per trial, a results table and the best configuration."""

    spec: Annotated[tyro.conf.Positional[str], tyro.conf.arg(metavar="[SPEC]")] = ""
    """Sweep file (YAML or JSON: algo, env, fixed, space, ...); options override it."""
    algo: str = ""
    """Registered algorithm (empty: the file's)."""
    env: str = ""
    """Registered environment id (empty: the file's)."""
    preset: str = ""
    """Preset of the algorithm (empty: the file's, else default)."""
    space: tuple[str, ...] = ()
    """Search axes FIELD=KIND:VALUES; KIND is grid, choice, uniform or
    log_uniform: algo.learning_rate=log_uniform:1e-4,1e-2 run.seed=grid:0,1,2"""
    fixed: tuple[str, ...] = ()
    """Values of every trial, FIELD=VALUE: algo.gamma=0.5 run.total_timesteps=20000"""
    num_samples: int = 0
    """Configurations drawn, each run at every grid point (0: the file's, else 1)."""
    searcher: Literal["auto", "optuna", "random", "grid"] = "auto"
    """optuna (TPE), random, or grid (grid axes only); auto: the file's, else
    optuna unless every axis is a grid."""
    scheduler: Literal["auto", "asha", "fifo"] = "auto"
    """asha stops weak trials at their evaluations; fifo runs every trial to
    the end; auto: the file's, else asha."""
    metric: str = ""
    """Reported key to optimise; empty: the file's, else eval/mean_reward, or
    eval/reported_metric (the env's own cost) where the env has one."""
    mode: Literal["auto", "max", "min"] = "auto"
    """Direction of the metric; auto: the file's, else min for the env's cost,
    max otherwise."""
    seed: int = -1
    """Seed of the searcher's draws (-1: the file's, else 0)."""
    name: str = ""
    """Sweep folder under --out-dir (empty: the file's name, else ALGO-ENV); the
    same command again resumes it."""
    out_dir: str = "sweeps"
    """Parent folder of the sweep folders."""
    num_cpus: int = 0
    """CPUs of the local Ray (0: all cores); a trial takes one, with one thread."""
    max_concurrent: int = 0
    """Trials at once (0: one per local CPU; no limit with --address)."""
    gpus_per_trial: float = -1.0
    """GPUs per trial, fractions allowed; -1: 1 where CUDA is present and the
    run's device is not cpu, else 0."""
    address: str = ""
    """Ray cluster to join: ray://HOST:PORT or auto (empty: start Ray here);
    --out-dir must then be a folder every node sees."""
    verbose: int = 1
    """0 silent, 1 Ray Tune's status table, then the results table."""

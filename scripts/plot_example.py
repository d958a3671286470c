"""Train PPO and HPO on TargetRegime-v0 from three seeds each, then draw them with ``plot``.

This makes the figure of the Plotting guide (``docs/guides/plotting.md``), about a minute on
one CPU core::

    python scripts/plot_example.py --out docs/guides/plotting.png

Every step is a ``hybrid-toolkit`` command line (printed before it runs), the same the guide
shows; the tests run this script with a smaller budget so the example cannot rot.
"""

from __future__ import annotations

import argparse
import shlex

from hybrid_toolkit.cli.main import main as hybrid_toolkit

TIMESTEPS = 12_288
SEEDS = (0, 1, 2)
ALGORITHMS = {
    "ppo": [],
    # HPO's defaults are sized for inventory control: an 8-step rollout of 64 scenarios fits
    # the 8-step Target episodes (and keeps no burn-in periods).
    "hpo": ["--algo.num-envs", "64", "--algo.n-steps", "8", "--algo.buffer-periods", "0"],
}
ENV = "TargetRegime-v0"


def commands(
    run_root: str, out: list[str], timesteps: int = TIMESTEPS, seeds: tuple[int, ...] = SEEDS
) -> list[list[str]]:
    """The ``hybrid-toolkit`` command lines: one ``train`` per algorithm and seed, then ``plot``."""
    run = ["--run.total-timesteps", str(timesteps), "--run.run-root", run_root]
    quiet = ["--run.no-progress-bar", "--run.verbose", "0"]
    train = [
        ["train", algo, ENV, *flags, "--run.seed", str(seed), *run, *quiet]
        for seed in seeds
        for algo, flags in ALGORITHMS.items()
    ]
    return [*train, ["plot", run_root, "--out", *out]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-root", default="runs/plot-example", help="folder of the runs")
    parser.add_argument("--out", nargs="+", default=["plotting.png"], help="files to write")
    parser.add_argument("--timesteps", type=int, default=TIMESTEPS, help="steps per run")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS), help="seeds")
    args = parser.parse_args(argv)
    for command in commands(args.run_root, args.out, args.timesteps, tuple(args.seeds)):
        print("hybrid-toolkit " + shlex.join(command), flush=True)
        status = hybrid_toolkit(command)
        if status:
            return status
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

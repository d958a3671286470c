"""``hybrid-toolkit plot``: learning curves of real runs (two algorithms × two seeds), its help,
its one-line user errors, and the guide's example script on a smaller budget."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import CliRunner

import hybrid_toolkit as ht
from hybrid_toolkit.training import load_curves
from hybrid_toolkit.training.run_logs import read_series

ROOT = Path(__file__).parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PPO and HPO on TargetRegime-v0, seeds 0 and 1, trained briefly through the API."""
    root = tmp_path_factory.mktemp("runs")
    for seed in (0, 1):
        ht.PPO("TargetRegime-v0", seed=seed, verbose=0, tensorboard_log=root, n_steps=16).learn(768)
        ht.HPO(
            "TargetRegime-v0",
            seed=seed,
            verbose=0,
            tensorboard_log=root,
            num_envs=16,
            n_steps=8,
            buffer_periods=0,
            discrete_hidden=(16,),
            continuous_hidden=(16,),
            value_hidden=(16,),
        ).learn(512)
    return root


def test_plot_of_two_algorithms_and_two_seeds_writes_png_and_svg(
    runs: Path, tmp_path: Path, run_cli: CliRunner
) -> None:
    png, svg = tmp_path / "curves.png", tmp_path / "curves.svg"
    code, out = run_cli(["plot", str(runs), "--out", str(png), str(svg)])
    assert code == 0, out
    assert png.read_bytes().startswith(PNG) and png.stat().st_size > 10_000
    assert b"<svg" in svg.read_bytes()[:2000]
    assert f"wrote {png}" in out and f"wrote {svg}" in out
    groups = load_curves([runs]).groups
    assert sorted((g.label, len(g.runs)) for g in groups) == [("hpo", 2), ("ppo", 2)]
    assert all(len(g.x) >= 2 for g in groups)


def test_a_run_without_progress_csv_is_read_from_its_tensorboard_events(
    runs: Path, tmp_path: Path
) -> None:
    run = sorted(runs.iterdir())[0]
    copy = shutil.copytree(run, tmp_path / run.name)
    (copy / "progress.csv").unlink()
    from_csv, from_events = (
        read_series(run, "rollout/ep_rew_mean"),
        read_series(copy, "rollout/ep_rew_mean"),
    )
    assert from_csv is not None and from_events is not None
    np.testing.assert_array_equal(from_events[0], from_csv[0])
    np.testing.assert_allclose(from_events[1], from_csv[1], rtol=1e-6)  # events hold float32


def test_plot_help_is_its_own(run_cli: CliRunner) -> None:
    code, out = run_cli(["plot", "--help"])
    assert code == 0
    for text in ("RUN_DIR", "--key", "--x", "--out", "--reference", "--title", "--group-by"):
        assert text in out
    assert "train" not in out.split("RUN_DIR")[0]  # not the top-level help
    code, out = run_cli(["--help"])
    assert code == 0 and "plot" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "RUN_DIR: got nothing; expected at least one run directory"),
        (["{tmp}/missing"], "does not exist"),
        (["{tmp}"], "is not a run directory and holds none"),
        (
            ["{runs}", "--key", "nope"],
            "key 'nope' against x 'time/total_timesteps' was logged by none of the 4 run(s)",
        ),
        (["{runs}", "--out", "{tmp}/c.jpg"], "--out: got {tmp}/c.jpg; expected file names ending"),
        (["{runs}", "--reference", "high"], "--reference: got 'high'; expected a finite number"),
        (["{runs}", "--group-by", "seed"], "invalid choice 'seed'"),
    ],
)
def test_user_errors_exit_2_with_one_line_and_write_nothing(
    args: list[str], expected: str, runs: Path, tmp_path: Path, run_cli: CliRunner
) -> None:
    argv = ["plot", *(a.format(tmp=tmp_path, runs=runs) for a in args)]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "c.png")]
    code, out = run_cli(argv)
    assert code == 2
    assert out.startswith("error: ") and out.count("\n") == 1, out
    assert expected.format(tmp=tmp_path) in out
    assert not list(tmp_path.glob("c.*"))


def test_the_guides_example_script_makes_its_figure(tmp_path: Path, run_cli: CliRunner) -> None:
    script = runpy.run_path(str(ROOT / "scripts" / "plot_example.py"))
    out, root = tmp_path / "plotting.png", tmp_path / "runs"
    argv = ["--run-root", str(root), "--out", str(out), "--timesteps", "2048", "--seeds", "0", "1"]
    assert script["main"](argv) == 0
    assert out.read_bytes().startswith(PNG)
    curves = load_curves([root])
    assert sorted((g.label, len(g.runs)) for g in curves.groups) == [("hpo", 2), ("ppo", 2)]
    assert curves.references == (("optimum of TargetRegime-v0 (8)", 8.0),)  # from config.json
    # the guide shows the same command lines as the script runs
    guide = (ROOT / "docs" / "guides" / "plotting.md").read_text()
    for algo, flags in script["ALGORITHMS"].items():
        assert f"train {algo} {script['ENV']} {' '.join(flags)}".strip() in guide
    assert f"--run.total-timesteps {script['TIMESTEPS']}" in guide

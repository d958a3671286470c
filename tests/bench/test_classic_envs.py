"""The classic-envs suite's recipe sets: ``budget`` (the cached first runs) and ``reference``
(HyAR at the official scripts' schedule and replay ratio, PPO and DGRL at the same budgets)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CliRunner

from hybrid_toolkit.algorithms.hyar import HyAR
from hybrid_toolkit.bench.classic_envs.cases import (
    CASES,
    RECIPE_SETS,
    RECIPES,
    REFERENCE_RECIPES,
    recipe_key,
    reference_timesteps,
    scaled_recipe,
)
from hybrid_toolkit.bench.classic_envs.curve import progress_path
from hybrid_toolkit.bench.classic_envs.pages import write_report
from hybrid_toolkit.bench.classic_envs.report import provenance
from hybrid_toolkit.bench.classic_envs.suite import load_records, run_one, run_path
from hybrid_toolkit.envs import make

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "classic_envs"


def test_the_recipe_sets_have_distinct_cache_keys() -> None:
    for algo in RECIPES:
        for case in CASES:
            keys = [
                recipe_key(s[algo][case], s[algo][case].timesteps, n)
                for n, s in RECIPE_SETS.items()
            ]
            assert keys[0] != keys[1], (algo, case)
            assert keys[1]["recipe_set"] == "reference"


def test_the_budget_recipes_still_match_their_cached_runs() -> None:
    cached = sorted(RESULTS.glob("*/*-seed*.json"))
    assert cached
    for path in cached:
        record = json.loads(path.read_text())
        recipe = RECIPES[record["algo"]][path.name.split("-seed")[0]]
        assert record["recipe"] == recipe_key(recipe, recipe.timesteps), path


@pytest.mark.parametrize("case", list(CASES))
def test_the_reference_recipe_is_the_official_schedule(case: str) -> None:
    recipe = REFERENCE_RECIPES["hyar"][case]
    config = HyAR.config_class(**{**HyAR.presets[recipe.preset], **recipe.overrides})
    assert config.gradient_steps in (-1, config.train_freq * config.num_envs)
    assert config.train_freq == 1
    assert config.warmup_episodes == (20_000 if "Goal" in case else 5000)
    assert config.vae_pretrain_steps == 5000
    assert recipe.timesteps == reference_timesteps(case) > CASES[case].paper_hyar_steps
    # PPO and DGRL train on the same number of environment steps
    assert {REFERENCE_RECIPES[a][case].timesteps for a in REFERENCE_RECIPES} == {recipe.timesteps}


def test_the_reference_recipe_takes_one_td3_update_per_transition() -> None:
    hard_move = REFERENCE_RECIPES["hyar"]["HardMove4"]
    recipe = scaled_recipe(hard_move, 20_000, num_envs=4, learning_starts=16)
    env = make("HardMove-v0", num_envs=4, n_actuators=4)
    model = HyAR(env, recipe.preset, seed=0, verbose=0, **recipe.overrides)
    model.learn(recipe.timesteps)
    for _ in range(20):
        if model.progress.td3_updates:
            break
        model.learn(32, reset_num_timesteps=False)
    assert model.progress.phase == "td3" and model.progress.td3_updates > 0
    steps, updates = model.num_timesteps, model.progress.td3_updates
    model.learn(64, reset_num_timesteps=False)
    assert model.progress.td3_updates - updates == model.num_timesteps - steps == 64


def test_smoke_runs_the_reference_recipe_into_its_own_cache(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    args = ["bench", "classic-envs", "--mode", "smoke", "--recipe", "reference"]
    code, out = run_cli([*args, "--out-dir", str(tmp_path)])
    assert code == 0, out
    folder = tmp_path / "classic_envs"
    assert sorted(p.parent.name for p in folder.rglob("*.json")) == ["dgrl", "hyar", "ppo"]
    for path in folder.glob("reference/*/HardMove4-seed0.json"):
        record = json.loads(path.read_text())
        assert record["recipe"]["recipe_set"] == "reference"
        assert record["curve"][-1]["success_rate"] == record["success_rate"]
        assert record["train_cpu_seconds"] >= 0
    hyar = json.loads((folder / "reference/hyar/HardMove4-seed0.json").read_text())
    assert hyar["recipe"]["overrides"]["gradient_steps"] == -1  # one update per transition
    assert hyar["td3_updates"] == 0 and len(hyar["curve"]) >= 2  # in the TD3 phase, 1+ points
    assert (tmp_path / "classic-envs-reference-curves.md").read_text().count("finished") >= 3
    assert not list(folder.rglob("*.progress.json")) and not list(folder.rglob("*.checkpoint.zip"))
    mtimes = {p: p.stat().st_mtime_ns for p in folder.rglob("*.json")}
    code, out = run_cli([*args, "--out-dir", str(tmp_path)])  # everything cached: no rerun
    assert code == 0, out
    assert mtimes == {p: p.stat().st_mtime_ns for p in folder.rglob("*.json")}


def test_an_unfinished_run_leaves_its_curve_in_a_progress_file(tmp_path: Path) -> None:
    recipe = scaled_recipe(REFERENCE_RECIPES["ppo"]["HardMove4"], 8000, num_envs=4)
    run = run_path(tmp_path, "ppo", "HardMove4", 0, "reference")
    record = run_one(
        "ppo", CASES["HardMove4"], recipe, 0, 4, "cpu", "reference", 2, progress_path(run)
    )
    progress = json.loads(progress_path(run).read_text())  # the run was never stored
    assert progress["status"] == "unfinished" and progress["recipe"] == record["recipe"]
    # points inside ``learn`` (128-step rollouts), then the final evaluation, never twice
    assert progress["curve"] == record["curve"]
    assert [p["timesteps"] for p in record["curve"]] == [128, 256]
    assert load_records(tmp_path, "reference", progress=True)["ppo"]["HardMove4"] == [progress]
    assert load_records(tmp_path, "reference") == {}


def _finished(seed: int, success: float, curve: list[float]) -> dict[str, Any]:
    """A reference run record as the suite stores it, with made-up numbers."""
    source = RESULTS / "reference" / "hyar" / "Platform-seed0.json"
    record = json.loads(source.read_text())
    points = [
        {**record["curve"][0], "timesteps": 1000 * (i + 1), "mean_return": value}
        for i, value in enumerate(curve)
    ]
    return {**record, "seed": seed, "success_rate": success, "curve": points}


def test_the_reference_report_gives_medians_with_quartiles_and_draws_the_curves(
    tmp_path: Path,
) -> None:
    runs = [_finished(s, rate, [0.2, 0.5]) for s, rate in enumerate((0.1, 0.5, 0.3))]
    running = {"hyar": {"Goal": [{**_finished(0, 0.0, [0.1]), "status": "unfinished"}]}}
    records = {"hyar": {"Platform": runs}}
    written = write_report(
        records, CASES, REFERENCE_RECIPES, tmp_path, tmp_path / "docs", "reference", running
    )
    table = (tmp_path / "classic-envs-reference-table.md").read_text()
    # success 0.1, 0.5, 0.3: median 0.30, inclusive quartiles 0.20 and 0.40, over 3 seeds
    assert "success 0.30" in table and "0.30 [0.20, 0.40] (3)" in table
    assert "Cells: median [inter-quartile range]" in table
    assert tmp_path / "docs" / "classic-envs-reference-curves.png" in written
    assert (tmp_path / "docs" / "classic-envs-reference-curves.png").stat().st_size > 10_000
    # no run with a curve: no curves figure, and no error
    assert not any(
        p.name.endswith("curves.png")
        for p in write_report(
            {}, CASES, REFERENCE_RECIPES, tmp_path / "b", tmp_path / "b", "reference"
        )
    )


def test_the_reference_report_says_when_each_run_reached_table_2_and_whether_it_stayed(
    tmp_path: Path,
) -> None:
    # Platform's Table 2 value is a normalised return of 0.98; the last point is the final
    # 500-episode evaluation and counts only as "final"
    swinging = _finished(0, 0.9, [0.2, 0.99, 0.5, 0.99, 0.7])
    short = _finished(1, 0.1, [0.3, 0.6, 0.97, 0.99])
    write_report(
        {"hyar": {"Platform": [swinging, short]}},
        CASES,
        REFERENCE_RECIPES,
        tmp_path,
        tmp_path / "docs",
        "reference",
    )
    table = (tmp_path / "classic-envs-reference-table.md").read_text()
    final = f"{swinging['mean_return']:.3f}"
    assert f"| Platform | hyar | 0 | {final} | 0.670 | 0.99 (2,000) | 2,000 | 1 of 2 |" in table
    assert "| Platform | hyar | 1 |" in table and "| 0.97 (3,000) | never | — |" in table
    # runs without a curve (the budget set) add no such table
    budget = {"hyar": {"Platform": [{**swinging, "curve": []}]}}
    write_report(budget, CASES, REFERENCE_RECIPES, tmp_path / "b", tmp_path / "b", "reference")
    without_curves = (tmp_path / "b" / "classic-envs-reference-table.md").read_text()
    assert "first at Table 2" not in without_curves


def test_a_variant_changes_only_its_overrides_and_is_cached_apart(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    args = ["bench", "classic-envs", "--mode", "smoke", "--recipe", "reference", "--algos", "dgrl"]
    variant = ["--variant", "tau-0.005", "--override", "tau=0.005", "selection_temperature=0.5"]
    code, out = run_cli([*args, *variant, "--out-dir", str(tmp_path)])
    assert code == 0, out
    folder = tmp_path / "classic_envs"
    [path] = folder.rglob("*.json")
    assert path == folder / "reference-tau-0.005" / "dgrl" / "HardMove4-seed0.json"
    record = json.loads(path.read_text())
    plain = REFERENCE_RECIPES["dgrl"]["HardMove4"].overrides
    variant_overrides = {"tau": 0.005, "selection_temperature": 0.5, "num_envs": 4}  # smoke: 4
    assert record["recipe"]["overrides"] == {**plain, **variant_overrides}
    assert record["recipe"]["recipe_set"] == record["recipe_set"] == "reference-tau-0.005"
    # its tables and plots go beside its runs, never into the docs folder
    report = [*args[:3], "full", *args[4:], *variant, "--report-only"]  # smoke refuses docs
    code, out = run_cli([*report, "--out-dir", str(tmp_path), "--docs-dir", str(tmp_path / "d")])
    assert code == 0, out
    table = (tmp_path / "classic-envs-reference-tau-0.005-table.md").read_text()
    assert "Variant `tau-0.005`: the `reference` recipes with `tau=0.005`, `sel" in table
    assert (tmp_path / "classic-envs-reference-tau-0.005.png").exists()
    assert not (tmp_path / "d").exists()
    # the plain recipe set does not count the variant's run as its own
    code, out = run_cli([*args, "--out-dir", str(tmp_path), "--report-only"])
    assert code == 0 and load_records(tmp_path, "reference") == {}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--override", "tau=0.005"], "--override needs --variant NAME"),
        (["--variant", "t"], "--variant t: give the settings it changes with --override"),
        (["--variant", "T 1", "--override", "tau=1"], "--variant must be lower-case"),
        (["--variant", "t", "--override", "tau"], "expected KEY=VALUE, got 'tau'"),
        (["--variant", "t", "--override", "tau=1", "tau=2"], "tau is given twice"),
        (["--variant", "t", "--override", "taux=1"], "['taux'] not settings of dgrl's"),
    ],
)
def test_a_variant_is_refused_with_what_was_expected(
    extra: list[str], message: str, run_cli: CliRunner, tmp_path: Path
) -> None:
    args = ["bench", "classic-envs", "--mode", "smoke", "--algos", "dgrl"]
    code, out = run_cli([*args, *extra, "--out-dir", str(tmp_path)])
    assert code == 2 and message in out and "Traceback" not in out


def test_the_provenance_names_every_machine_the_runs_took() -> None:
    intel = [_finished(s, 0.5, [0.5]) for s in (0, 1)]
    amd = {**intel[0], "seed": 2}
    amd["environment"] = {**amd["environment"], "cpu": "AMD EPYC", "logical_cpus": 2}
    line = provenance({"hyar": {"Platform": [*intel, amd]}}, ["Platform"])
    cpu = intel[0]["environment"]["cpu"]
    assert f"on AMD EPYC, 2 logical CPUs (1 run) and {cpu}, 2 logical CPUs (2 runs)," in line
    assert f"on {cpu}, 2 logical CPUs, torch" in provenance(
        {"hyar": {"Platform": intel}}, ["Platform"]
    )

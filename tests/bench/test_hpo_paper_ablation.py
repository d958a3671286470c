"""hpo-paper: the one-difference ablations of the paper's PPO and the entropy-anneal horizon."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import CliRunner

from hybrid_toolkit.algorithms import PPOConfig
from hybrid_toolkit.algorithms.hpo.steps import linear_anneal
from hybrid_toolkit.algorithms.ppo.config import PAPER_SWITCHES, PPO_PRESETS
from hybrid_toolkit.bench.hpo_paper import HPOPaperOptions
from hybrid_toolkit.bench.hpo_paper.report import ALGO_LABELS, COLORS, ablation_table
from hybrid_toolkit.bench.hpo_paper.runs import (
    ALGOS,
    Algo,
    RunResult,
    RunSpec,
    ablated_fields,
    anneal_end,
    build_hpo,
    build_ppo,
    entropy_anneal,
    run_path,
    runs_on,
    store_run,
    train_run,
)
from hybrid_toolkit.bench.hpo_paper.suite import run as run_suite
from hybrid_toolkit.bench.hpo_paper.tasks import Task, task_env

FIELDS = list(PAPER_SWITCHES)


def test_every_paper_switch_has_an_ablation_with_a_label_and_a_colour() -> None:
    singles = [ablated_fields(a) for a in ALGOS if len(ablated_fields(a)) == 1]
    assert singles == [(field,) for field in FIELDS]
    together = [ablated_fields(a) for a in ALGOS if len(ablated_fields(a)) > 1]
    assert together == [("reward_scaling", "buffer_periods")]
    assert ALGO_LABELS["ppo_paper-rollout_graph"] == "PPO (paper's), ours: rollout_graph"
    pair = ALGO_LABELS["ppo_paper-reward_scaling+buffer_periods"]
    assert pair == "PPO (paper's), ours: reward_scaling + buffer_periods"
    assert set(ALGOS) <= COLORS.keys() and set(ALGOS) <= ALGO_LABELS.keys()
    assert len(set(COLORS.values())) == len(COLORS)  # every curve tells its algorithm


@pytest.mark.parametrize("field", FIELDS)
def test_an_ablation_is_the_papers_ppo_with_one_field_set_back_to_ours(field: str) -> None:
    algo: Algo = f"ppo_paper-{field}"  # type: ignore[assignment]
    spec = RunSpec(Task("jrp", 1), algo, 0, (8,), updates=8, batch=8)
    config = build_ppo(spec, "cpu")[0].config
    ours = PPOConfig()
    assert getattr(config, field) == getattr(ours, field)
    for other, paper in PAPER_SWITCHES.items():
        if other != field:
            assert getattr(config, other) == paper, other
    assert config.policy_hidden == config.value_hidden == (8,)
    assert config.learning_rate == PPO_PRESETS["paper-jrp"]["learning_rate"]


def test_a_joint_ablation_sets_every_named_field_back_and_nothing_else() -> None:
    spec = RunSpec(Task("jrp", 1), "ppo_paper-reward_scaling+buffer_periods", 0, (8,), 8, 8)
    config = build_ppo(spec, "cpu")[0].config
    ours = PPOConfig()
    for field, paper in PAPER_SWITCHES.items():
        expected = getattr(ours, field) if field in ablated_fields(spec.algo) else paper
        assert getattr(config, field) == expected, field
    # on LQR one of the two fields is no difference, so the pair would be a single ablation
    lqr = Task("lqr", 2, 2)
    assert not runs_on("ppo_paper-reward_scaling+buffer_periods", lqr)
    assert runs_on("ppo_paper-reward_scaling", lqr)


def test_the_grid_skips_runs_that_would_repeat_another_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    algos: tuple[Algo, ...] = (
        "ppo_paper-buffer_periods",
        "ppo_paper-rollout_graph",
        "hpo_declared",
    )
    options = HPOPaperOptions(
        mode="smoke",
        parts=("jrp", "lqr"),
        jrp_items=(2,),
        algos=algos,
        out_dir=str(tmp_path),
        only_cached=True,
        runner="sequential",
    )
    assert run_suite(options) == 0  # nothing cached: nothing trains, nothing is aggregated
    lines = capsys.readouterr().out.splitlines()
    skipped = [line for line in lines if line.startswith("skipped")]
    # LQR declares its observation in its own units, so declared inputs would repeat `hpo`;
    # JRP's declared map drops and rescales features, so its declared HPO is a run of its own
    assert skipped == [
        "skipped 2 (task, algorithm) pairs that would repeat another run: an ablated field "
        "that is no difference of the paper's PPO on that family (the run would be "
        "ppo_paper), or declared inputs where the env declares its observation as it is (the "
        "run would be hpo): lqr_n2_m2 ppo_paper-buffer_periods, lqr_n2_m2 hpo_declared"
    ]
    missing = next(line for line in lines if line.startswith("--only-cached"))
    assert "4 of the grid's runs" in missing and "lqr_n2_m2__ppo_paper-rollout_graph" in missing
    assert "jrp_n2__hpo_declared" in missing


def _fake_run(spec: RunSpec, first_hit: int, folder: Path) -> None:
    """A cached run whose dev cost reaches 40 (the best known) at ``first_hit`` updates."""
    curve = [(u, 40.0 if u >= first_hit else 80.0) for u in range(8, spec.updates + 1, 8)]
    result = RunResult(spec.task.key, spec.algo, spec.seed, curve, 40.0, 40.5, 4.0)
    result.settings = {"updates": spec.updates}
    store_run(result, run_path(spec, folder))


def test_the_ablation_table_compares_each_ablation_with_both_ppos(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first_hits = {
        "hpo": [8, 16, 16],
        "ppo": [24, 32, 40],
        "ppo_paper": [56, 64, 64],
        "ppo_paper-rollout_graph": [32, 40, 40],
        "ppo_paper-network_layout": [64, 80, 200],  # seed 2 never gets there
        "ppo_paper-reward_scaling+buffer_periods": [16, 24, 24],
    }
    task = Task("jrp", 5)
    for algo, hits in first_hits.items():
        for seed, hit in enumerate(hits):
            spec = RunSpec(task, algo, seed, (8,), 80)  # type: ignore[arg-type]
            _fake_run(spec, hit, tmp_path / "runs")
    refs = {task.key: {"name": "tuned (s, S)", "dev": 41.0, "test": 41.0, "others": {}}}
    (tmp_path / "references.json").write_text(json.dumps(refs))
    options = HPOPaperOptions(
        mode="smoke",
        parts=("jrp",),
        algos=tuple(first_hits),  # type: ignore[arg-type]
        jrp_items=(5,),
        hidden=(8,),
        jrp_updates=80,
        seeds=3,
        out_dir=str(tmp_path),
        only_cached=True,
        runner="sequential",
    )
    assert run_suite(options) == 0
    capsys.readouterr()
    markdown = (tmp_path / "results.md").read_text()
    ablation = markdown.split("### The paper's PPO, one difference at a time\n\n")[1]
    rows = [line for line in ablation.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| task | set back to ours | paper's value | ours ")
    # PAPER_SWITCHES order; medians 40 (ours: 32), 80 (paper's: 64) and > 80 (censored)
    assert rows[1] == (
        "| JRP n=5 | `network_layout` | `separate` | `shared` | 80 [72, > 80] "
        "| +16 (×1.25) | +48 (×2.50) | 3 |"
    )
    assert rows[2] == (
        "|  | `rollout_graph` | `kept` | `detached` | 40 [36, 40] | −24 (×0.62) | +8 (×1.25) | 3 |"
    )
    assert rows[3] == (  # the fields set back together come after the single ones
        "|  | `reward_scaling`, `buffer_periods` | `batch_std`, `20` | `return_std`, `0` "
        "| 24 [20, 24] | −40 (×0.38) | −8 (×0.75) | 3 |"
    )
    comparison = markdown.split("### Does HPO need fewer updates than PPO?")[1].split("###")[0]
    assert "ours:" not in comparison and "PPO (paper's)" in comparison
    assert ablation_table([], 0.1) == ""


def test_ablation_table_is_left_out_without_ablation_runs(tmp_path: Path) -> None:
    task = Task("jrp", 5)
    for seed in range(2):
        _fake_run(RunSpec(task, "ppo", seed, (8,), 80), 24, tmp_path / "runs")
    refs = {task.key: {"name": "tuned (s, S)", "dev": 41.0, "test": 41.0, "others": {}}}
    (tmp_path / "references.json").write_text(json.dumps(refs))
    options = HPOPaperOptions(
        mode="smoke", parts=("jrp",), algos=("ppo",), jrp_items=(5,), hidden=(8,),
        jrp_updates=80, seeds=2, out_dir=str(tmp_path), only_cached=True, runner="sequential",
    )  # fmt: skip
    assert run_suite(options) == 0
    assert "one difference at a time" not in (tmp_path / "results.md").read_text()


@pytest.mark.parametrize(("updates", "horizon"), [(400, 0), (400, 400), (400, 1600), (20, 44)])
def test_the_anneal_is_the_first_updates_of_an_n_update_one(updates: int, horizon: int) -> None:
    expected = [linear_anneal(0.5, 0.001, u, 8, horizon or updates) for u in range(updates)]
    task = Task("jrp", 1)
    hpo = build_hpo(RunSpec(task, "hpo", 0, (8,), updates, 128, 8, horizon), "cpu")
    assert hpo.rollouts_per_epoch == 8
    hpo.total_timesteps_target = updates * hpo.n_steps * hpo.env.num_envs  # what learn() sets
    assert [hpo.entropy_coef(u) for u in range(updates)] == pytest.approx(expected, rel=1e-12)
    env = task_env(task, 128, "cpu")
    ppos: tuple[Algo, ...] = ("ppo", "ppo_paper", "ppo_paper-rollout_graph")
    for algo, eval_every in zip(ppos, (8, 4, 16), strict=True):
        config = PPOConfig()  # the epoch is a pass over the train split, whatever --eval-every
        spec = RunSpec(task, algo, 0, (8,), updates, 128, eval_every, horizon)
        callback = entropy_anneal(spec, config, env)
        assert callback is not None
        ctx = SimpleNamespace(iteration=0)
        callback.on_training_start(ctx)  # type: ignore[arg-type]
        seen = [config.ent_coef]
        for update in range(1, updates):  # the iteration before update u sets its coefficient
            ctx.iteration = update
            callback.on_iteration(ctx)  # type: ignore[arg-type]
            seen.append(config.ent_coef)
        assert seen == pytest.approx(expected, rel=1e-12)
    low = RunSpec(task, "ppo_low_entropy", 0, (8,), updates, 128, 8, horizon)
    assert entropy_anneal(low, PPOConfig(), env) is None
    if horizon == 1600:  # the paper's first 400 updates: 0.5 to about 0.377
        assert (
            anneal_end(400, 8, 1600)
            == pytest.approx(expected[-1])
            == pytest.approx(0.3771, abs=1e-4)
        )


def test_existing_cache_keys_are_unchanged() -> None:
    jrp, lqr = Task("jrp", 20), Task("lqr", 3, 2)
    key = RunSpec(jrp, "ppo_paper", 0, (256, 256), 400).key
    assert key == "jrp_n20__ppo_paper__s0__h256x256__u400"
    assert RunSpec(jrp, "ppo_paper", 0, (256, 256), 400, 128, 8, 400).key == key
    assert RunSpec(lqr, "hpo", 2, (256, 256), 800).key == "lqr_n3_m2__hpo__s2__h256x256__u800"
    longer = RunSpec(jrp, "hpo", 1, (256, 256), 400, entropy_anneal_updates=1600)
    assert longer.key == "jrp_n20__hpo__s1__h256x256__u400__a1600"
    ablation = RunSpec(jrp, "ppo_paper-rollout_graph", 0, (256, 256), 400)
    assert ablation.key == "jrp_n20__ppo_paper-rollout_graph__s0__h256x256__u400"
    # the constant-entropy variants do not anneal, so the horizon changes nothing of them
    constant = RunSpec(jrp, "ppo_low_entropy", 0, (256, 256), 400, entropy_anneal_updates=1600)
    assert constant.key == "jrp_n20__ppo_low_entropy__s0__h256x256__u400"


def test_a_bad_entropy_anneal_horizon_is_refused(run_cli: CliRunner) -> None:
    message = r"entropy_anneal_updates must be 0 or >= the runs' updates \(400\), got 100"
    with pytest.raises(ValueError, match=message):
        HPOPaperOptions(mode="full", parts=("jrp",), jrp_updates=400, entropy_anneal_updates=100)
    with pytest.raises(ValueError, match=r"\(800\), got 600"):  # LQR's 800 updates count too
        HPOPaperOptions(mode="full", jrp_updates=400, lqr_updates=800, entropy_anneal_updates=600)
    with pytest.raises(ValueError, match="got -1"):
        HPOPaperOptions(mode="smoke", entropy_anneal_updates=-1)
    with pytest.raises(ValueError, match=r"the run's updates \(400\), got 399"):
        RunSpec(Task("jrp", 1), "hpo", 0, (8,), 400, entropy_anneal_updates=399)
    assert HPOPaperOptions(
        mode="full", jrp_updates=400, lqr_updates=800, entropy_anneal_updates=1600
    )
    # the command line names the flag, the value and what it expected
    argv = ["bench", "hpo-paper", "--mode", "full", "--parts", "jrp", "--jrp-updates", "400"]
    code, out = run_cli([*argv, "--entropy-anneal-updates", "100"])
    assert code == 2
    assert out == (
        "error: --entropy-anneal-updates: got 100; expected 0 or >= the runs' updates (400)\n"
    )


def test_an_ablation_trains_and_records_the_anneal_horizon() -> None:
    spec = RunSpec(Task("jrp", 1), "ppo_paper-rollout_graph", 0, (8,), 2, 8, 1, 16)
    result = train_run(spec, "cpu")
    assert result.algo == "ppo_paper-rollout_graph" and len(result.curve) == 2
    assert result.settings["entropy_anneal_updates"] == 16

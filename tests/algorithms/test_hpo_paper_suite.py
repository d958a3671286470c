"""The ``hpo-paper`` reproduction suite: its metrics, its plan, the PPO action wrapper."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from hybrid_toolkit.algorithms import PPOConfig
from hybrid_toolkit.bench import get_suite
from hybrid_toolkit.bench.hpo_paper import HPOPaperOptions, plan
from hybrid_toolkit.bench.hpo_paper.raw_actions import RawActionWrapper
from hybrid_toolkit.bench.hpo_paper.report import (
    comparison_table,
    drawn_algorithms,
    plot_dev_curves,
    plot_updates_to_target,
    results_table,
)
from hybrid_toolkit.bench.hpo_paper.runs import EntropyAnneal, RunResult, RunSpec, train_run
from hybrid_toolkit.bench.hpo_paper.summary import (
    Spread,
    censored_quantile,
    faster_share,
    format_spread,
    format_updates,
    summarize,
    updates_to_target,
    verdict,
)
from hybrid_toolkit.bench.hpo_paper.tasks import References, Task
from hybrid_toolkit.envs import make
from hybrid_toolkit.spaces import HybridAction


def run(algo: str, seed: int, curve: list[tuple[int, float]], test: float) -> RunResult:
    best = min(c for _, c in curve)
    return RunResult("jrp_n5", algo, seed, curve, best, test, 10.0, {"updates": 40})


def test_updates_to_target_is_the_first_evaluation_within_the_threshold() -> None:
    curve = [(8, 50.0), (16, 44.0), (24, 42.9), (32, 41.0)]
    assert updates_to_target(curve, 43.0) == 24
    assert math.isinf(updates_to_target(curve, 40.0))


def test_summary_uses_the_best_known_cost_and_a_censored_median() -> None:
    reference = References("tuned (s, S)", dev=40.0, test=40.5, others={})
    runs = [
        run("hpo", 0, [(8, 60.0), (16, 43.5), (24, 39.0)], test=39.2),
        run("hpo", 1, [(8, 55.0), (16, 42.0), (24, 39.5)], test=39.6),
        run("hpo", 2, [(8, 44.0), (16, 41.0), (24, 40.0)], test=40.1),
        run("ppo", 0, [(8, 90.0), (16, 70.0), (24, 50.0)], test=50.0),
        run("ppo", 1, [(8, 80.0), (16, 60.0), (24, 42.5)], test=42.9),
    ]
    summary = summarize(Task("jrp", 5), reference, runs, target=0.1)
    assert summary.best_known == 39.0  # a run beat the reference
    assert summary.threshold == pytest.approx(42.9)
    hpo, ppo = summary.algos["hpo"], summary.algos["ppo"]
    assert hpo.updates_to_target == 16  # first hits: 24, 16, 8 → median 16
    assert hpo.test == 39.6 and hpo.gap == pytest.approx(39.6 / 40.5 - 1)
    assert math.isinf(ppo.updates_to_target)  # hits: never, 24 → the median is censored
    assert format_updates(ppo.updates_to_target, ppo.budget) == "> 40"
    assert hpo.seconds_per_update == pytest.approx(10.0 / 40)


def test_plots_are_written(tmp_path: Path) -> None:
    reference = References("tuned (s, S)", dev=40.0, test=40.5, others={})
    runs = [run("hpo", 0, [(8, 45.0), (16, 41.0)], 41.0), run("ppo", 0, [(8, 60.0)], 59.0)]
    summaries = [summarize(Task("jrp", 5), reference, runs, 0.1)]
    plot_updates_to_target(summaries, tmp_path / "u.png", 0.1)
    plot_dev_curves(summaries, {"jrp_n5": runs}, tmp_path / "d.png")
    assert (tmp_path / "u.png").stat().st_size > 1000
    assert (tmp_path / "d.png").stat().st_size > 1000
    # The legend names the drawn curves only (not every algorithm the suite knows).
    assert drawn_algorithms({"jrp_n5": runs}) == ["hpo", "ppo"]


def test_modes_fill_in_the_grid_and_skip_impossible_lqr_pairs() -> None:
    quick = HPOPaperOptions()
    assert quick.hidden == (64, 64) and quick.seeds == 1
    full = HPOPaperOptions(mode="full")
    assert full.hidden == (512, 512) and full.jrp_updates == 1600 and full.lqr_updates == 4000
    keys = [t.key for t in plan(full)]
    assert keys[:6] == [f"jrp_n{n}" for n in (1, 3, 5, 10, 20, 50)]
    assert "lqr_n3_m4" not in keys and "lqr_n1_m2" not in keys and "lqr_n20_m4" in keys
    custom = HPOPaperOptions(mode="full", hidden=(128, 128), seeds=2)
    assert custom.hidden == (128, 128) and custom.seeds == 2
    with pytest.raises(ValueError, match="target must be in"):
        HPOPaperOptions(target=1.5)


def test_suite_is_registered_for_the_cli() -> None:
    suite = get_suite("hpo-paper")
    assert suite.config_class is HPOPaperOptions


def test_raw_action_wrapper_applies_hpos_map() -> None:
    env = make("JointReplenishment-v0", 4, n_items=3, validate_actions=False)
    wrapper = RawActionWrapper(env, shift=1.0, scale_feature="mean_demand")
    assert torch.isinf(wrapper.action_space.low).all()
    obs = wrapper.reset(seed=0)
    raw = torch.zeros(4, 3)
    action = wrapper.to_env_action(obs, HybridAction(torch.ones(4, 1, dtype=torch.long), raw))
    mean = env.mean_demand_estimate[:, None]  # type: ignore[attr-defined]
    expected = torch.nn.functional.softplus(torch.tensor(1.0)) * mean
    torch.testing.assert_close(action.continuous, expected.expand(4, 3))
    step = wrapper.step(HybridAction(torch.ones(4, 1, dtype=torch.long), raw))
    assert step.obs.shape == (4, *env.obs_shape)
    assert wrapper.horizon == env.horizon  # type: ignore[attr-defined]


def test_ppo_entropy_anneal_follows_hpos_schedule() -> None:
    config = PPOConfig(ent_coef=0.01)
    anneal = EntropyAnneal(config, 0.5, 0.001, total_updates=24, per_epoch=8)
    ctx = SimpleNamespace(iteration=0)
    anneal.on_training_start(ctx)  # type: ignore[arg-type]
    seen = [config.ent_coef]
    for iteration in (7, 8, 16, 23):
        ctx.iteration = iteration
        anneal.on_iteration(ctx)  # type: ignore[arg-type]
        seen.append(config.ent_coef)
    assert seen == [0.5, 0.5, pytest.approx(0.2505), pytest.approx(0.001), pytest.approx(0.001)]


@pytest.mark.parametrize("algo", ["hpo_declared", "ppo_paper"])
def test_the_declared_input_hpo_and_the_papers_ppo_train_in_the_grid(algo: str) -> None:
    spec = RunSpec(Task("jrp", 1), algo, seed=0, hidden=(8,), updates=2, batch=8, eval_every=1)  # type: ignore[arg-type]
    result = train_run(spec, "cpu")
    assert result.algo == algo and len(result.curve) == 2
    assert math.isfinite(result.best_dev) and math.isfinite(result.test)


def test_over_seeds_the_summary_reports_medians_and_interquartile_ranges() -> None:
    reference = References("tuned (s, S)", dev=40.0, test=40.0, others={})
    runs = [
        run("hpo", 0, [(8, 60.0), (16, 45.0), (24, 41.0)], test=41.0),
        run("hpo", 1, [(8, 55.0), (16, 42.0), (24, 41.5)], test=42.0),
        run("hpo", 2, [(8, 44.0), (16, 41.0), (24, 40.0)], test=40.0),
    ]
    summary = summarize(Task("jrp", 5), reference, runs, target=0.1, tight_target=0.05)
    hpo = summary.algos["hpo"]
    # within 10 % of 40 (44.0): first at 24, 16, 8; within 5 % (42.0): 24, 16, 16
    assert hpo.per_seed["updates"] == [24, 16, 8]
    assert hpo.spreads["updates"] == Spread(16.0, 12.0, 20.0)
    assert hpo.spreads["updates_tight"] == Spread(16.0, 16.0, 20.0)
    assert hpo.spreads["test"] == Spread(41.0, 40.5, 41.5)
    assert hpo.spreads["gap"].median == pytest.approx(41.0 / 40.0 - 1)
    table = results_table([summary], 0.1, 0.05)
    assert "16 [12, 20]" in table and "41 [40.5, 41.5]" in table
    assert "updates to within 10 %" in table and "to within 5 %" in table


def test_a_quantile_touching_a_censored_run_is_censored() -> None:
    assert censored_quantile([8.0, 16.0, 24.0], 0.25) == 12.0
    assert math.isinf(censored_quantile([8.0, 16.0, math.inf], 0.75))
    assert censored_quantile([8.0, 16.0, math.inf], 0.5) == 16.0
    assert format_spread(Spread(16.0, 12.0, math.inf), 400) == "16 [12, > 400]"
    with pytest.raises(ValueError, match="at least one value"):
        censored_quantile([], 0.5)


def test_the_comparison_says_fewer_only_when_the_iqrs_separate() -> None:
    assert faster_share([40.0, 48.0], [56.0, math.inf]) == 1.0
    assert faster_share([40.0, math.inf], [math.inf]) == 0.75
    apart = verdict(Spread(40, 36, 44), Spread(64, 60, 70), 1.0)
    assert apart == "fewer, 100 % of pairs faster"
    overlapping = verdict(Spread(40, 36, 62), Spread(64, 60, 70), 0.8)
    assert overlapping == "fewer (IQRs overlap), 80 % of pairs faster"
    assert verdict(Spread(64, 60, 70), Spread(40, 36, 44), 0.0).startswith("more,")
    assert verdict(Spread(40, 36, 44), Spread(40, 32, 48), 0.5).startswith("level")
    reference = References("tuned (s, S)", dev=40.0, test=40.0, others={})
    runs = [run("hpo_declared", s, [(8, 50.0), (16, 43.0)], 43.0) for s in range(3)]
    runs += [run("ppo", s, [(8, 60.0), (16, 50.0), (24, 43.0)], 43.0) for s in range(3)]
    table = comparison_table([summarize(Task("jrp", 5), reference, runs, 0.1)], 0.1)
    assert "HPO (declared inputs) vs PPO (this library's)" in table
    assert "fewer, 100 % of pairs faster (×0.67)" in table
    assert "paper's" not in table.splitlines()[0]  # only pairs that were run


def test_only_cached_aggregates_a_partly_run_grid_without_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hybrid_toolkit.bench.hpo_paper.suite import run as run_suite

    def options(**kwargs: object) -> HPOPaperOptions:
        return HPOPaperOptions(
            mode="smoke", parts=("jrp",), out_dir=str(tmp_path), runner="sequential", **kwargs
        )

    assert run_suite(options(algos=("hpo",))) == 0  # caches jrp_n1 / hpo / seed 0
    cached = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert run_suite(options(algos=("hpo", "ppo"), seeds=2, only_cached=True)) == 0
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == cached  # nothing trained
    out = capsys.readouterr().out
    assert "3 of the grid's runs are not cached" in out
    assert "| HPO (paper's inputs) | 1 |" in out and "PPO (this library's)" not in out

"""The dgrl-paper bench suite: statistics over seeds, the per-run cache, options and reports,
the n/a cases and the training-loop option."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from hybrid_toolkit.algorithms.dgrl.config import DGRL_PRESETS
from hybrid_toolkit.bench import get_suite, list_suites
from hybrid_toolkit.bench.dgrl_paper import DGRLPaperOptions, run
from hybrid_toolkit.bench.dgrl_paper.aggregate import (
    NotApplicable,
    curve_quartiles,
    percent_vs,
    summarize,
)
from hybrid_toolkit.bench.dgrl_paper.cache import (
    cached_run,
    load_cached,
    matches,
    protocol,
    run_path,
    train_and_evaluate,
)
from hybrid_toolkit.bench.dgrl_paper.grid import (
    ENV_CASES,
    FULL_ENVS,
    FULL_METHODS,
    METHODS,
    QUICK_BUDGET,
    SMOKE_ENVS,
)
from hybrid_toolkit.bench.dgrl_paper.report import ours_table, paper_table, sampled_table
from hybrid_toolkit.bench.dgrl_paper.scope import OFF_SCOPE, not_applicable
from hybrid_toolkit.bench.quartiles import quartiles
from hybrid_toolkit.bench.report import RESULTS_END, RESULTS_START


def _record(seed: int, returns: list[float], solved: list[float] | None = None) -> dict[str, Any]:
    curve = [{"steps": 100 * (i + 1), "return": r} for i, r in enumerate(returns)]
    for point, share in zip(curve, solved or [], strict=False):
        point["solved"] = share
    return {"seed": seed, "curve": curve, "cpu_seconds": 60.0 * (seed + 1), "train_return": None}


def _proto(**changes: Any) -> dict[str, Any]:
    base = protocol(METHODS["dgrl"], ENV_CASES["maze"], 50_000, 10_000, 16)
    return {**base, **changes}


# ------------------------------------------------------------------ statistics
def test_quartiles_use_the_inclusive_method() -> None:
    q = quartiles([5.0, 1.0, 4.0, 2.0, 3.0])
    assert (q.median, q.q25, q.q75) == (3.0, 2.0, 4.0)
    assert quartiles([1.0, 2.0, 3.0, 10.0]) == pytest.approx(quartiles([1.0, 2.0, 3.0, 10.0]))
    four = quartiles([1.0, 2.0, 3.0, 10.0])
    assert (four.median, four.q25, four.q75) == (2.5, 1.75, 4.75)


def test_quartiles_of_one_value_and_of_none() -> None:
    q = quartiles([7.5])
    assert (q.median, q.q25, q.q75) == (7.5, 7.5, 7.5)
    with pytest.raises(ValueError, match="at least one value"):
        quartiles([])


def test_summarize_takes_each_runs_peak_then_the_median_over_seeds() -> None:
    records = [
        _record(0, [-5.0, 9.0, 2.0], [0.0, 1.0, 0.5]),
        _record(1, [-5.0, -5.0, 4.0], [0.0, 0.0, 0.75]),
        _record(2, [1.0, 6.0, 6.0], [0.25, 1.0, 1.0]),
    ]
    s = summarize(records)
    assert s.seeds == (0, 1, 2)
    assert s.peak.median == 6.0  # peaks 9, 4, 6
    assert (s.peak.q25, s.peak.q75) == (5.0, 7.5)
    assert s.peak_mean == pytest.approx(19 / 3)
    assert s.peak_std == pytest.approx(
        math.sqrt(((9 - 19 / 3) ** 2 + (4 - 19 / 3) ** 2 + (6 - 19 / 3) ** 2) / 2)
    )
    assert s.final.median == 4.0  # finals 2, 4, 6
    assert s.final_solved == 0.75
    assert s.cpu_minutes == 2.0  # 1, 2, 3 minutes
    assert s.train_return is None  # no run recorded one (migrated runs)
    records[0]["train_return"], records[2]["train_return"] = 3.0, 5.0
    assert summarize(records).train_return == 4.0  # the median of the runs that have one


def test_summarize_without_a_goal_and_bad_input() -> None:
    s = summarize([_record(0, [10.0, 30.0])])
    assert s.final_solved is None and s.peak_std == 0.0 and s.peak.median == 30.0
    with pytest.raises(ValueError, match="at least one run"):
        summarize([])
    with pytest.raises(ValueError, match="seed 3 has no evaluations"):
        summarize([_record(3, [])])


def test_percent_vs_reproduces_the_papers_recommender_gap() -> None:
    # App. E.3, large recommender: DGRL median 1941.89 vs DNC 783.96 is the paper's +147 %.
    assert round(percent_vs(1941.89, 783.96)) == 148
    assert percent_vs(-2.0, -4.0) == pytest.approx(50.0)  # better than a negative reference
    assert math.isnan(percent_vs(1.0, 0.0))


def test_curve_quartiles_cut_to_the_shortest_curve() -> None:
    steps, stats = curve_quartiles([_record(0, [1.0, 2.0, 3.0]), _record(1, [3.0, 4.0])])
    assert steps == [100, 200]
    assert [s.median for s in stats] == [2.0, 3.0]


# ------------------------------------------------------------------ the cache
def test_protocols_match_on_everything_but_evaluation_noise() -> None:
    wanted = _proto()
    assert matches(_proto(), wanted)
    assert matches(_proto(eval_episodes=32, eval_seed=7), wanted)
    assert not matches(_proto(eval_episodes=8), wanted)
    assert not matches(_proto(steps=40_000), wanted)
    assert not matches(_proto(preset="maze"), wanted)
    assert not matches(_proto(env_overrides={"n_slots": 3}), wanted)
    # a JSON round trip turns tuples into lists; that is still the same protocol
    assert matches(
        json.loads(json.dumps(_proto(overrides={"hidden": (8, 8)}))),
        _proto(overrides={"hidden": (8, 8)}),
    )


def test_cached_run_trains_once_then_reuses_and_retrains_on_a_new_protocol(tmp_path: Path) -> None:
    calls: list[int] = []

    def train() -> dict[str, Any]:
        calls.append(1)
        return {"protocol": _proto(), **_record(0, [float(len(calls))])}

    first, hit = cached_run(tmp_path, "maze", "dgrl", 0, _proto(), train)
    assert not hit and calls == [1]
    assert run_path(tmp_path, "maze", "dgrl", 0, _proto()).exists()
    again, hit = cached_run(tmp_path, "maze", "dgrl", 0, _proto(), train)
    assert hit and calls == [1] and again["curve"] == first["curve"]
    changed = _proto(steps=60_000)
    _, hit = cached_run(tmp_path, "maze", "dgrl", 0, changed, train)
    assert not hit and calls == [1, 1]
    with pytest.raises(LookupError, match=r"seed-1-[0-9a-f]{10}\.json"):
        cached_run(tmp_path, "maze", "dgrl", 1, _proto())


def test_a_corrupt_cache_file_is_named(tmp_path: Path) -> None:
    path = run_path(tmp_path, "maze", "dnc", 0, _proto())
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(
        ValueError, match=r"seed-0-[0-9a-f]{10}\.json is not a dgrl-paper run record"
    ):
        load_cached(path, _proto())


def test_one_real_run_records_a_curve_with_solved_shares() -> None:
    case = ENV_CASES["maze"]
    proto = protocol(METHODS["cacla"], case, 256, 128, 2, sampled_eval=True)
    record = train_and_evaluate(METHODS["cacla"], case, 0, proto)
    assert [p["steps"] for p in record["curve"]] == [128, 256]
    assert all(0.0 <= p["solved"] <= 1.0 for p in record["curve"])
    assert all(0.0 <= p["sampled_solved"] <= 1.0 for p in record["curve"])
    assert record["protocol"] == proto and record["seed"] == 0


@pytest.mark.parametrize("method", ["dgrl", "cacla"])
def test_a_sampled_evaluation_rides_along_without_changing_the_training_run(method: str) -> None:
    # The recommender's training return moves with every sampled action, so a sampled
    # evaluation that consumed the training generator would change it (checked: it does).
    case = ENV_CASES["recommender"]
    greedy = protocol(METHODS[method], case, 256, 128, 4)
    both = protocol(METHODS[method], case, 256, 128, 4, sampled_eval=True)
    assert not matches(both, greedy)
    where = Path("cache")
    assert run_path(where, "r", method, 0, both) != run_path(where, "r", method, 0, greedy)
    plain = train_and_evaluate(METHODS[method], case, 0, greedy)
    record = train_and_evaluate(METHODS[method], case, 0, both)
    assert record["train_return"] == plain["train_return"]
    assert [p["return"] for p in record["curve"]] == [p["return"] for p in plain["curve"]]
    assert all(math.isfinite(p["sampled_return"]) for p in record["curve"])
    assert all("sampled_return" not in p for p in plain["curve"])
    assert all("sampled_solved" not in p for p in record["curve"])  # no goal here


def test_sampled_statistics_and_their_table() -> None:
    runs = [_record(seed, [-5.0, peak], [0.0, 1.0]) for seed, peak in enumerate([9.0, 9.5])]
    for run_, sampled in zip(runs, [[1.0, 6.0], [2.0, 4.0]], strict=True):
        for point, value in zip(run_["curve"], sampled, strict=True):
            point["sampled_return"] = value
            point["sampled_solved"] = 0.5
    summary = summarize(runs)
    assert summary.sampled is not None
    assert (summary.sampled.peak.median, summary.sampled.final.median) == (5.0, 5.0)
    assert summary.sampled.final_solved == 0.5
    table = sampled_table({"maze": {"dgrl": summary, "lar": NotApplicable("too large")}})
    row = next(line for line in table if line.startswith("| Maze"))
    assert "| 9.25 [" in row and "| 5.00 [" in row and "| 100% / 50% |" in row
    assert "LAR" not in "".join(table)
    # greedy-only runs: no sampled statistics and no table
    assert summarize([_record(0, [1.0])]).sampled is None
    assert sampled_table({"maze": {"dgrl": summarize([_record(0, [1.0])])}}) == []


# ------------------------------------------------------------------ options and the suite
def test_suite_is_registered() -> None:
    assert "dgrl-paper" in list_suites()
    assert get_suite("dgrl-paper").config_class is DGRLPaperOptions


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("envs", ("maze", "atari"), "envs has unknown keys \\['atari'\\]"),
        ("methods", ("ppo",), "methods has unknown keys \\['ppo'\\]"),
        ("steps", -1, "steps must be >= 0"),
        ("seeds", (-1,), "seeds must be >= 0"),
    ],
)
def test_bad_options_are_refused_naming_the_field(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DGRLPaperOptions(**{field: value})


def test_modes_set_the_budget() -> None:
    quick = DGRLPaperOptions().effective()
    assert quick.seeds == (0,)
    assert quick.protocols()["maze"]["dgrl"]["steps"] == QUICK_BUDGET["steps"]
    full = DGRLPaperOptions(mode="full").effective()
    assert full.seeds == (0, 1, 2, 3, 4)
    assert full.envs == FULL_ENVS and full.methods == FULL_METHODS
    assert DGRLPaperOptions(mode="smoke").effective().envs == SMOKE_ENVS
    assert full.protocols()["recommender"]["dnc"]["steps"] == ENV_CASES["recommender"].steps
    assert full.protocols()["maze"]["dgrl"]["eval_episodes"] == ENV_CASES["maze"].eval_episodes
    short = DGRLPaperOptions(mode="full", steps=1_000).effective().protocols()["maze"]["dnc"]
    assert (short["steps"], short["eval_every"]) == (1_000, 1_000)


def test_cache_only_run_reports_from_stored_runs(tmp_path: Path) -> None:
    opts = DGRLPaperOptions(
        mode="full",
        envs=("maze",),
        methods=("dgrl", "dnc"),
        seeds=(0, 1),
        cache_only=True,
        out_dir=str(tmp_path),
        docs_page=str(tmp_path / "page.md"),
    )
    protos = opts.effective().protocols()["maze"]
    peaks = {"dgrl": [9.0, 9.5], "dnc": [4.0, 6.0]}
    for method, values in peaks.items():
        for seed, peak in enumerate(values):
            rec = {"protocol": protos[method], **_record(seed, [-5.0, peak], [0.0, 1.0])}
            path = run_path(tmp_path / "cache", "maze", method, seed, protos[method])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(rec))
    assert run(opts) == 0
    summary = json.loads((tmp_path / "dgrl-paper.json").read_text())["summaries"]["maze"]
    assert summary["dgrl"]["peak"]["median"] == 9.25
    assert summary["dnc"]["peak"]["median"] == 5.0
    page = (tmp_path / "page.md").read_text()
    assert RESULTS_START in page and RESULTS_END in page
    assert "| +85 % |" in page  # (9.25 - 5) / 5
    assert (tmp_path / "dgrl-paper.png").stat().st_size > 0
    # a missing seed is an error in cache-only mode, not a silent retrain
    assert run(DGRLPaperOptions(**{**vars(opts), "seeds": (0, 1, 2)})) == 2


# ------------------------------------------------------------------ loops and stale presets
def test_the_loop_option_changes_the_protocol_and_the_cache_file_of_dgrl_only() -> None:
    paper = DGRLPaperOptions(mode="full", envs=("maze-hybrid",)).effective().protocols()
    batched = (
        DGRLPaperOptions(mode="full", envs=("maze-hybrid",), loop="batched").effective().protocols()
    )
    p, b = paper["maze-hybrid"], batched["maze-hybrid"]
    assert (p["dgrl"]["preset"], b["dgrl"]["preset"]) == ("paper-maze", "maze")
    assert (p["dgrl"]["config"]["num_envs"], b["dgrl"]["config"]["num_envs"]) == (1, 16)
    assert (p["h-cacla"]["preset"], b["h-cacla"]["preset"]) == ("paper", "default")
    assert not matches(p["dgrl"], b["dgrl"])
    where = Path("cache")
    assert run_path(where, "maze-hybrid", "dgrl", 0, p["dgrl"]) != run_path(
        where, "maze-hybrid", "dgrl", 0, b["dgrl"]
    )
    # H-DNC and HyAR have one loop: the same protocol, the same cached run, under both
    assert p["h-dnc"] == b["h-dnc"] and p["hyar"] == b["hyar"]
    assert run_path(where, "maze-hybrid", "h-dnc", 0, p["h-dnc"]) == run_path(
        where, "maze-hybrid", "h-dnc", 0, b["h-dnc"]
    )


def test_changing_a_presets_values_makes_its_cached_runs_stale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The job-shop rows went stale this way: same preset name, other values (issue 15).
    case = ENV_CASES["job-shop"]
    before = protocol(METHODS["dgrl"], case, 30_000, 5_000, 16)
    assert before["config"]["dbu_perturbation"] == "symmetric"
    monkeypatch.setitem(DGRL_PRESETS["paper-job-shop"], "dbu_perturbation", "clamp")
    after = protocol(METHODS["dgrl"], case, 30_000, 5_000, 16)
    assert after["preset"] == before["preset"] and not matches(before, after)
    legacy = {k: v for k, v in before.items() if k != "config"}  # a record from before configs
    assert not matches(legacy, before)


# ------------------------------------------------------------------ n/a cases
def test_methods_outside_the_papers_scope_or_refused_are_not_applicable() -> None:
    def reason(method: str, env: str) -> str | None:
        proto = protocol(METHODS[method], ENV_CASES[env], 64, 32, 1)
        return not_applicable(METHODS[method], ENV_CASES[env], proto)

    assert reason("dnc", "maze-hybrid") == OFF_SCOPE["hybrid"]
    assert reason("h-dnc", "maze") == OFF_SCOPE["discrete"]
    assert "max_table_entries" in (reason("lar", "job-shop") or "")
    assert "max_table_entries=200,000" in (reason("lar", "recommender") or "")  # cost cap
    assert "max_discrete_choices" in (reason("hyar", "recommender-hybrid") or "")
    assert reason("lar", "maze") is None and reason("hyar", "maze-hybrid") is None
    assert reason("dgrl", "recommender-hybrid") is None


def test_not_applicable_rows_render_one_row_per_reason() -> None:
    summary = summarize([_record(0, [1.0, 9.0])])
    table = "\n".join(
        ours_table(
            {
                "maze-hybrid": {
                    "dgrl": summary,
                    "h-dnc": summarize([_record(0, [1.0, 6.0])]),
                    "dnc": NotApplicable(OFF_SCOPE["hybrid"]),
                    "cacla": NotApplicable(OFF_SCOPE["hybrid"]),
                    "hyar": NotApplicable("refused: too many choices"),
                }
            }
        )
    )
    assert "| DNC (SA), Cacla | – | n/a: discrete-action baselines" in table
    assert "| HyAR | – | n/a: refused: too many choices |" in table
    assert "| DGRL (SDN, DBU) | 1 | 9.00 [9.00, 9.00] | +50 % | – |" in table  # vs H-DNC's 6


def test_the_paper_table_has_the_hybrid_rows_and_stated_percentages() -> None:
    table = "\n".join(paper_table(["recommender-hybrid-large", "maze"], ["dgrl", "h-dnc", "lar"]))
    assert "| Recommender, large, hybrid | DGRL (SDN, DBU) | 2262.56 |" in table
    assert "| +130 % | +29 % (stated) |" in table  # the text ends before H-Cacla's row
    assert "| Maze, small, structured | LAR | -0.01 |" in table


def test_smoke_mode_runs_every_method_on_a_discrete_and_a_hybrid_maze(tmp_path: Path) -> None:
    assert run(DGRLPaperOptions(mode="smoke", out_dir=str(tmp_path))) == 0
    summaries = json.loads((tmp_path / "dgrl-paper.json").read_text())["summaries"]
    assert set(summaries) == {"maze", "maze-hybrid"}
    ran = {env: {m for m, s in by.items() if "peak" in s} for env, by in summaries.items()}
    assert ran["maze"] == {"dgrl", "dnc", "dnc-greedy", "cacla", "lar"}
    assert ran["maze-hybrid"] == {"dgrl", "h-dnc", "h-cacla", "hyar"}
    assert set(summaries["maze"]) == set(summaries["maze-hybrid"]) == set(FULL_METHODS)
    page = (tmp_path / "dgrl-paper.md").read_text()
    assert "Mode `smoke`, loop `paper`." in page
    assert page.count("| n/a: ") == 2  # one row per reason and case

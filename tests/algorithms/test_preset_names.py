"""Preset names are kebab-case; the old snake_case names still work, with a warning."""

from __future__ import annotations

import re

import pytest
from conftest import CliRunner

import hybrid_toolkit as ht
from hybrid_toolkit.cli.parser import parse

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.mark.parametrize("algo", ht.list_algorithms())
def test_every_preset_name_is_kebab_case(algo: str) -> None:
    names = list(ht.get_algorithm(algo).presets)
    assert [n for n in names if not KEBAB.match(n)] == []


def test_an_old_preset_name_gives_the_new_presets_config_and_warns_naming_it() -> None:
    hpo = ht.get_algorithm("hpo")
    with pytest.warns(FutureWarning, match="'jrp_decentralized' is renamed 'jrp-decentralized'"):
        old = hpo._resolve_config("jrp_decentralized")
    assert old == hpo._resolve_config("jrp-decentralized")
    assert old.cross_term is False


def test_the_warning_points_at_the_users_line() -> None:
    with pytest.warns(FutureWarning) as record:
        ht.get_algorithm("ppo")("TargetRegime-v0", "hpo_paper_jrp", verbose=0)
    assert record[0].filename == __file__


def test_an_unknown_name_still_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"valid presets are: .*hpo-paper-jrp"):
        ht.get_algorithm("ppo")._resolve_config("hpo_paper_nope")


@pytest.mark.parametrize("form", ["separate", "equals"])
def test_the_cli_accepts_an_old_preset_name_and_prints_one_warning_line(
    form: str, capsys: pytest.CaptureFixture[str]
) -> None:
    flag = ["--preset", "hard_goal"] if form == "separate" else ["--preset=hard_goal"]
    leaf = parse(["train", "hyar", "TargetRegime-v0", *flag])
    assert leaf.preset == "hard-goal"
    assert leaf.algo == ht.get_algorithm("hyar")._resolve_config("hard-goal")
    err = capsys.readouterr().err
    assert (
        err
        == "warning: hyar preset 'hard_goal' is renamed 'hard-goal'; the old name will be removed\n"
    )


def test_the_cli_warning_is_printed_before_a_later_error(run_cli: CliRunner) -> None:
    code, out = run_cli(
        [
            "train",
            "ppo",
            "TargetRegime-v0",
            "--preset",
            "hpo_paper_lqr",
            "--run.total-timesteps",
            "0",
        ]
    )
    assert code == 2
    assert out.splitlines()[0].startswith("warning: ppo preset 'hpo_paper_lqr' is renamed")
    assert out.splitlines()[1].startswith("error: --run.total-timesteps")

"""Every ``--help`` screen reads as plain text: no reStructuredText double backticks, and no
option whose default stands for something else printed as ``(default: 0)`` or ``(default: )``."""

from __future__ import annotations

import pytest
from conftest import CliRunner

import hybrid_toolkit as ht
from hybrid_toolkit.bench import list_suites

ALGOS, ENVS = ht.list_algorithms(), ht.list_envs()
# Every algorithm's options with one env, every env's options with one algorithm: all fields.
SCREENS = [
    [],
    ["train"],
    ["eval"],
    ["plot"],
    ["list"],
    ["bench"],
    ["train", "--resume", "RUN_DIR"],
    *(["train", algo] for algo in ALGOS),
    *(["train", algo, ENVS[0]] for algo in ALGOS),
    *(["train", ALGOS[0], env] for env in ENVS),
    *(["bench", suite] for suite in list_suites()),
]


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: " ".join(s) or "top")
def test_help_has_no_double_backticks(screen: list[str], run_cli: CliRunner) -> None:
    code, out = run_cli([*screen, "--help"])
    assert code == 0
    assert [line.strip() for line in out.splitlines() if "``" in line] == []


@pytest.mark.parametrize("suite", list_suites())
def test_bench_help_says_what_an_empty_or_zero_default_means(
    suite: str, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one option per line
    _, out = run_cli(["bench", suite, "--help"])
    assert "(default: )" not in out
    # a seed's 0 is a real default; any other 0 stands for "set by --mode"
    zeros = [line for line in out.splitlines() if "(default: 0)" in line and "--seed " not in line]
    assert zeros == []
    assert "(default: set by --mode)" in out

"""Fuzzing the command line: malformed command lines built from the real flag names.

Every one must exit with status 2, print no traceback, and leave no run folder under the
``--run.run-root`` it names. Each example stops at parsing or setup (no training runs).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import tempfile
import typing
from pathlib import Path
from typing import Any

from fuzz_outcomes import FUZZ, record
from hypothesis import given
from hypothesis import strategies as st

import hybrid_toolkit as ht
from hybrid_toolkit.cli.main import main
from hybrid_toolkit.cli.options import RunOptions

REFUSED = "exit 2, no traceback, no run folder (malformed command line)"
ALGOS = ht.list_algorithms()
ENVS = ["TargetRegime-v0", "Maze-v0", "JointReplenishment-v0", "Platform-v0", "JobShop-v0"]
WORD = st.text(alphabet="xyzqkw", min_size=1, max_size=6)
"""Letters that spell no number, no bool, no device and no registered name."""
RUN_LIMITS = {  # RunOptions fields and a value each refuses
    "total_timesteps": st.integers(-10, 0),
    "eval_episodes": st.integers(-10, 0),
    "threads": st.integers(-10, -1),
    "eval_freq": st.integers(-10, -1),
    "checkpoint_freq": st.integers(-10, -1),
    "seed": st.integers(-10, -1),
    "verbose": st.integers(-10, -1),
    "device": WORD,
}


def flag(group: str, name: str) -> str:
    return f"--{group}.{name.replace('_', '-')}"


def bad_value(annotation: Any, draw: st.DrawFn) -> list[str]:
    """Command-line words that no field of type ``annotation`` (see :func:`spoilable`) accepts."""
    origin = typing.get_origin(annotation)
    if annotation in (int, float):
        return [draw(WORD | st.sampled_from(["1.5.2", "1,5", "0x"]))]
    if annotation is bool:
        return [draw(WORD)]  # a boolean flag takes no value: the word is a stray argument
    if origin is tuple:
        return [draw(WORD), draw(WORD)]
    assert origin is typing.Literal, annotation
    return [draw(WORD.filter(lambda w: w not in typing.get_args(annotation)))]


def type_cases() -> list[tuple[str, str, str, str]]:
    """``(algo, env, group, field)`` for every option whose type a bad word can violate."""
    cases = []
    for algo in ALGOS:
        config = ht.get_algorithm(algo).config_class
        cases += [(algo, ENVS[0], "algo", name) for name in typed_fields(config)]
    for env in ENVS:
        config = ht.env_spec(env).config_class
        cases += [("ppo", env, "env", name) for name in typed_fields(config)]
    cases += [("ppo", ENVS[0], "run", name) for name in typed_fields(RunOptions)]
    return cases


def typed_fields(config: type) -> list[str]:
    """Fields whose type a word can violate (``str`` fields take any word: skipped)."""
    hints = typing.get_type_hints(config)
    return [f.name for f in dataclasses.fields(config) if spoilable(hints[f.name])]


def spoilable(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return annotation in (int, float, bool) or origin in (tuple, typing.Literal)


TYPE_CASES = type_cases()


def config_of(group: str, algo: str, env: str) -> type:
    if group == "algo":
        return ht.get_algorithm(algo).config_class
    if group == "env":
        return ht.env_spec(env).config_class
    return RunOptions


@st.composite
def bad_typed_option(draw: st.DrawFn) -> list[str]:
    """``train ALGO ENV --group.field WORDS`` where WORDS do not parse as the field's type."""
    algo, env, group, name = draw(st.sampled_from(TYPE_CASES))
    words = bad_value(typing.get_type_hints(config_of(group, algo, env))[name], draw)
    return ["train", algo, env, flag(group, name), *words]


@st.composite
def bad_run_limit(draw: st.DrawFn) -> list[str]:
    """``train ALGO ENV --run.field VALUE``: the right type, a value RunOptions refuses."""
    algo, env = draw(st.sampled_from(ALGOS)), draw(st.sampled_from(ENVS))
    name = draw(st.sampled_from(sorted(RUN_LIMITS)))
    return ["train", algo, env, flag("run", name), str(draw(RUN_LIMITS[name]))]


@st.composite
def bad_structure(draw: st.DrawFn) -> list[str]:
    """Unknown flags, missing subcommands or positionals, unknown algorithm or env names."""
    algo, env = draw(st.sampled_from(ALGOS)), draw(st.sampled_from(ENVS))
    prefix = draw(st.sampled_from(["--algo.", "--env.", "--run.", "--"]))
    return draw(
        st.sampled_from(
            [
                ["train", algo, env, prefix + draw(WORD), "1"],
                [],
                ["train"],
                ["train", algo],
                ["eval"],
                ["bench"],
                ["train", draw(WORD)],
                ["train", algo, draw(WORD) + "-v0"],
                [draw(WORD)],
                ["list", "--kind", draw(WORD)],
            ]
        )
    )


def run_quietly(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue()


def assert_refused(argv: list[str], target: str) -> str:
    """Run ``argv`` (with a temporary run root): exit 2, no traceback, no run folder."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runs"
        cheap = ["--run.run-root", str(root), "--run.total-timesteps", "8"]
        full = [*argv[:3], *cheap, *argv[3:]] if argv[:1] == ["train"] and len(argv) > 3 else argv
        code, out = run_quietly(full)
        assert code == 2, f"{full}: exit {code}\n{out}"
        assert "Traceback" not in out, out
        assert not root.exists() or not any(root.iterdir()), f"{full} left a run folder"
    record(target, REFUSED)
    return out


@FUZZ
@given(bad_typed_option())
def test_option_values_of_the_wrong_type(argv: list[str]) -> None:
    assert_refused(argv, "command line: --algo/--env/--run value of the wrong type")


@FUZZ
@given(bad_run_limit())
def test_run_option_values_out_of_range(argv: list[str]) -> None:
    out = assert_refused(argv, "command line: --run.* value out of range")
    assert out.startswith(f"error: {argv[3]}: got ") and out.count("\n") == 1, out


@FUZZ
@given(bad_structure())
def test_unknown_flags_and_names_and_missing_words(argv: list[str]) -> None:
    assert_refused(argv, "command line: unknown flag or name, missing subcommand")

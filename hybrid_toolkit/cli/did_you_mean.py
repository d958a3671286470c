""" "Did you mean": the real flags closest in meaning to an option the command line does not have.

tyro proposes flags that share a prefix or substring with an unknown one, so ``--algo.lr``
gets ``--algo.anneal-lr``. Here an unknown flag is matched first through a table of the
abbreviations and synonyms RL users type (``lr`` → ``learning-rate``, ``n-envs`` →
``num-envs``, ``discount`` → ``gamma`` …), then by its name in another group
(``--algo.horizon`` → ``--env.horizon``), and only when neither finds one, as the start of a
name (``--env.hor``) or by spelling (`difflib`).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Sequence

from hybrid_toolkit.cli.options import (
    EvalArgs,
    ListArgs,
    PlotArgs,
    ResumeOptions,
    RunOptions,
    SweepArgs,
)

ALIASES: dict[str, tuple[str, ...]] = {
    "lr": ("learning-rate", "actor-lr", "critic-lr", "vae-learning-rate"),
    "learning-rate": ("actor-lr", "critic-lr"),
    "bs": ("batch-size", "n-minibatches"),
    "batch": ("batch-size",),
    "minibatch-size": ("batch-size", "n-minibatches"),
    "ent": ("ent-coef",),
    "entropy": ("ent-coef", "continuous-entropy"),
    "entropy-coef": ("ent-coef",),
    "discount": ("gamma",),
    "lambda": ("gae-lambda",),
    "lam": ("gae-lambda",),
    "eps": ("adam-eps", "clip-range"),
    "epsilon": ("clip-range", "adam-eps"),
    "clip": ("clip-range", "max-grad-norm"),
    "n-envs": ("num-envs",),
    "envs": ("num-envs",),
    "batch-envs": ("num-envs",),
    "steps": ("total-timesteps", "n-steps"),
    "timesteps": ("total-timesteps",),
    "total-steps": ("total-timesteps",),
    "n-timesteps": ("total-timesteps",),
    "epochs": ("n-epochs",),
    "hidden": ("policy-hidden", "actor-hidden", "critic-hidden", "value-hidden"),
    "net-arch": ("policy-hidden", "actor-hidden", "critic-hidden", "value-hidden"),
    "grad-norm": ("max-grad-norm",),
    "vf": ("vf-coef",),
    "value-coef": ("vf-coef",),
    "buffer": ("buffer-size",),
    "replay-size": ("buffer-size",),
    "n-threads": ("threads",),
    "num-threads": ("threads",),
    "episodes": ("eval-episodes", "episodes"),
}
"""Flag name (the part after the group) → real names it probably means, best first."""

MAX_SUGGESTIONS = 3


def _group_flags(prefix: str, config_class: type) -> list[str]:
    """``--prefix.field`` for every field that is a flag (bools also as ``--prefix.no-field``)."""
    flags = []
    for field in dataclasses.fields(config_class):
        if "Positional" in str(field.type):  # tyro.conf.Positional: typed without a flag
            continue
        name = prefix + field.name.replace("_", "-")
        flags.append(f"--{name}")
        if field.type in (bool, "bool"):
            head, _, leaf = name.rpartition(".")
            flags.append(f"--{head + '.' if head else ''}no-{leaf}")
    return flags


def accepted_flags(argv: Sequence[str]) -> list[str]:
    """The flags of the subcommand ``argv`` selects (empty when it selects none)."""
    from hybrid_toolkit.algorithms import get_algorithm
    from hybrid_toolkit.bench import get_suite, list_suites
    from hybrid_toolkit.cli.parser import is_resume, selection
    from hybrid_toolkit.envs import env_spec

    command, name = [*argv[:2], "", ""][:2]
    if command == "train" and is_resume(list(argv)):
        return ["--resume", *_group_flags("run.", ResumeOptions)]
    algo, env = selection(list(argv))
    if algo is not None and env is not None:
        return [
            "--preset",
            *_group_flags("algo.", get_algorithm(algo).config_class),
            *_group_flags("env.", env_spec(env).config_class),
            *_group_flags("run.", RunOptions),
        ]
    if command == "bench" and name in list_suites():
        return _group_flags("", get_suite(name).config_class)
    simple = {"list": ListArgs, "eval": EvalArgs, "plot": PlotArgs, "sweep": SweepArgs}
    return _group_flags("", simple[command]) if command in simple else []


def suggestions(flag: str, accepted: Sequence[str]) -> list[str]:
    """The accepted flags closest in meaning to the unknown ``flag``, best first (at most 3)."""
    group, _, leaf = flag.removeprefix("--").rpartition(".")
    leaf = leaf.lower().replace("_", "-")
    by_leaf: dict[str, list[str]] = {}
    for candidate in accepted:
        by_leaf.setdefault(candidate.rpartition(".")[2].removeprefix("--"), []).append(candidate)

    def in_own_group_first(name: str) -> list[str]:
        return sorted(by_leaf.get(name, []), key=lambda c: not c.startswith(f"--{group}."))

    names = [leaf, *ALIASES.get(leaf, ())]
    found = [c for name in names for c in in_own_group_first(name) if c != flag]
    if not found:  # no known meaning: a shortened or misspelled name (the group aside)
        close = [name for name in by_leaf if leaf and name.startswith(leaf)]
        close += difflib.get_close_matches(leaf, by_leaf, n=MAX_SUGGESTIONS, cutoff=0.7)
        found = [c for name in close for c in in_own_group_first(name)]
    return list(dict.fromkeys(found))[:MAX_SUGGESTIONS]


def _options_named_in(box_head: str, argv: Sequence[str]) -> list[str]:
    """The ``--flags`` of ``argv`` that tyro's box calls unrecognized."""
    flags = [arg.split("=", 1)[0] for arg in argv if arg.startswith("--")]
    pattern = r"(?<![\w.-]){}(?![\w.-])"
    return [f for f in dict.fromkeys(flags) if re.search(pattern.format(re.escape(f)), box_head)]


def unrecognized_line(box_text: str, argv: Sequence[str]) -> str | None:
    """``unrecognized option --algo.lr; did you mean --algo.learning-rate?`` for tyro's
    "Unrecognized options" error (``box_text`` with the frame removed); ``None`` for others."""
    if not box_text.startswith("Unrecognized"):
        return None
    head = box_text.split("Perhaps you meant", 1)[0].split("Arguments similar to", 1)[0]
    unknown = _options_named_in(head, argv)
    if not unknown:
        return None
    accepted = accepted_flags(argv)
    clauses = []
    for flag in unknown:
        close = suggestions(flag, accepted)
        clauses.append((flag, f"did you mean {_either(close)}?" if close else ""))
    if len(clauses) == 1:
        flag, hint = clauses[0]
        return f"unrecognized option {flag}" + (f"; {hint}" if hint else "")
    parts = [f"{flag} ({hint})" if hint else flag for flag, hint in clauses]
    return "unrecognized options " + ", ".join(parts)


def _either(flags: list[str]) -> str:
    return flags[0] if len(flags) == 1 else ", ".join(flags[:-1]) + " or " + flags[-1]

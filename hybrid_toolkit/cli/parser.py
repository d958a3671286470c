"""Build the tyro argument type from the algorithm and environment registries.

``hybrid-toolkit train ALGO ENV [--algo.* --env.* options]`` is a union of one leaf dataclass
per (algorithm, environment) pair, so a newly registered algorithm or environment appears here
without touching the CLI.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Annotated, Any, Union

import tyro

from hybrid_toolkit.algorithms import get_algorithm, list_algorithms
from hybrid_toolkit.bench import list_suites
from hybrid_toolkit.cli.bench import bench_leaf
from hybrid_toolkit.cli.options import EvalArgs, ListArgs, RunOptions
from hybrid_toolkit.envs import env_spec, list_envs

CLI_CONFIG = (tyro.conf.CascadeSubcommandArgs,)


def _train_leaf(algo: str, env: str) -> type:
    """The dataclass of ``train <algo> <env>``: fields ``algo``, ``env`` and ``run``."""
    algo_cls = get_algorithm(algo)
    spec = env_spec(env)
    fields: list[Any] = [
        ("algo", algo_cls.config_class, dataclasses.field(default_factory=algo_cls.config_class)),
        ("env", spec.config_class, dataclasses.field(default_factory=spec.default_config)),
        ("run", RunOptions, dataclasses.field(default_factory=RunOptions)),
    ]
    cls = dataclasses.make_dataclass(
        f"Train_{algo}_{env.replace('-', '_')}",
        fields,
        namespace={"algo_name": algo, "env_name": env},
    )
    cls.__doc__ = f"Train {algo} on {env}: {spec.description}"
    return cls


@dataclasses.dataclass
class Unselectable:
    """Placeholder subcommand (hidden) that keeps a one-member union a union."""


def _union(options: dict[str, Any], *, prefix: bool = True) -> Any:
    members: tuple[Any, ...] = tuple(
        Annotated[t, tyro.conf.subcommand(name, prefix_name=prefix)] for name, t in options.items()
    )
    if len(members) == 1:  # typing collapses Union[X] to X, which tyro would not offer as a choice
        hidden = Annotated[
            Unselectable, tyro.conf.subcommand("_", prefix_name=prefix), tyro.conf.Suppress
        ]
        members = (*members, hidden)
    return Union[members]  # noqa: UP007


def _train_algo(algo: str) -> type:
    """``train <algo>``: a one-field wrapper whose field is the union over environments."""
    envs = _union({env: _train_leaf(algo, env) for env in list_envs()}, prefix=False)
    field_type = Annotated[envs, tyro.conf.arg(name="", prefix_name=False)]  # type: ignore[valid-type]
    cls = dataclasses.make_dataclass(f"Train_{algo}", [("task", field_type)])
    cls.__doc__ = (get_algorithm(algo).__doc__ or algo).strip().splitlines()[0]
    return cls


@cache
def cli_type() -> Any:
    """The full argument type: ``list | train ALGO ENV | eval MODEL | bench SUITE``."""
    train = _union({algo: _train_algo(algo) for algo in list_algorithms()})
    commands: dict[str, Any] = {"list": ListArgs, "train": train, "eval": EvalArgs}
    if list_suites():
        commands["bench"] = _union({name: bench_leaf(name) for name in list_suites()})
    return _union(commands)


def parse(args: list[str] | None = None) -> Any:
    """Parse ``args`` (``sys.argv[1:]`` when ``None``); bad input exits with status 2.

    Returns a ``ListArgs``, an ``EvalArgs``, a train leaf (with ``algo_name``/``env_name``) or
    a bench leaf (with ``suite_name``).
    """
    parsed = tyro.cli(cli_type(), args=args, config=CLI_CONFIG, prog="hybrid-toolkit")
    return getattr(parsed, "task", parsed)

"""Build the tyro argument type from the algorithm and environment registries.

``hybrid-toolkit train ALGO ENV [--algo.* --env.* options]`` is a union of one leaf dataclass
per (algorithm, environment) pair, so a newly registered algorithm or environment appears here
without touching the CLI.

Building every leaf costs tyro time in proportion to the number of pairs (and their config
fields), so only the subtree the command line selects is built in full: ``train ppo Maze-v0``
builds the ``ppo`` / ``Maze-v0`` leaf, and every other algorithm or environment is an empty
stand-in with the same name and description, which is all ``--help`` lists for them.

``--preset NAME`` picks one of the algorithm's named presets (``HPO.presets`` …) as the
defaults of the ``--algo.*`` options, so ``train hpo JointReplenishment-v0 --preset jrp
--algo.learning-rate 3e-4`` is the preset with one field changed. Because those defaults must
be known before tyro builds the leaf, the preset is read from the command line first (like the
algorithm and environment names) and the leaf is built with it.

tyro builds the ``algo``/``env``/``run`` groups from stand-in subclasses whose
``__post_init__`` does nothing, and :func:`parse` then builds the real dataclasses: a value
their validation refuses raises ``ValueError`` here, outside tyro, so ``main`` reports it as
one line naming the flag (tyro would print a box naming only the group).

``train --config FILE`` reads a run's ``config.json`` (:mod:`hybrid_toolkit.cli.config_file`)
before tyro runs, like ``--preset``: the file names the leaf and its values are the defaults of
``--algo.*``, ``--env.*``, ``--run.*`` and ``--preset``.

``train --resume RUN_DIR`` is a command line of its own (:class:`ResumeArgs`): the algorithm,
the environment and their options come from the run directory.
"""

from __future__ import annotations

import dataclasses
import sys
import warnings
from functools import cache
from typing import Annotated, Any, Literal, Union

import tyro

from hybrid_toolkit.algorithms import get_algorithm, list_algorithms
from hybrid_toolkit.algorithms.preset_names import canonical_preset
from hybrid_toolkit.bench import list_suites
from hybrid_toolkit.cli.bench import bench_leaf
from hybrid_toolkit.cli.config_file import apply_config_file
from hybrid_toolkit.cli.options import (
    EvalArgs,
    ListArgs,
    PlotArgs,
    ResumeArgs,
    RunOptions,
    SweepArgs,
)
from hybrid_toolkit.cli.run_record import RunRecord
from hybrid_toolkit.envs import env_spec, list_envs

CLI_CONFIG = (tyro.conf.CascadeSubcommandArgs,)


def _train_leaf(
    algo: str, env: str, preset: str = "default", defaults: RunRecord | None = None
) -> type:
    """The dataclass of ``train <algo> <env>``: fields ``algo``, ``env``, ``run`` and ``preset``.

    ``preset`` (one of the algorithm's ``presets``) supplies the defaults of ``algo``;
    ``defaults`` (a ``--config`` file's run) supplies those of every field instead.
    """
    algo_cls = get_algorithm(algo)
    spec = env_spec(env)
    preset_choice = Literal[tuple(algo_cls.presets)]  # type: ignore[valid-type]
    preset_help = tyro.conf.arg(
        help=f"Named preset of {algo} whose values are the defaults of the --algo.* options."
    )
    fields: list[Any] = [
        (
            "algo",
            _unchecked(algo_cls.config_class),
            dataclasses.field(
                default_factory=lambda: _defer(
                    defaults.algo if defaults else algo_cls._resolve_config(preset)
                )
            ),
        ),
        (
            "env",
            _unchecked(spec.config_class),
            dataclasses.field(
                default_factory=lambda: _defer(defaults.env if defaults else spec.default_config())
            ),
        ),
        (
            "run",
            _unchecked(RunOptions),
            dataclasses.field(default_factory=lambda: _defer(defaults.run if defaults else None)),
        ),
        (
            "preset",
            Annotated[preset_choice, preset_help],
            dataclasses.field(default=defaults.preset if defaults else preset),
        ),
    ]
    cls = dataclasses.make_dataclass(
        f"Train_{algo}_{env.replace('-', '_')}",
        fields,
        namespace={"algo_name": algo, "env_name": env},
    )
    cls.__doc__ = _leaf_doc(algo, env)
    return cls


UNION_DESCRIPTIONS = {
    "train": "Train ALGO ENV; train --config FILE; train --resume RUN_DIR.",
    "eval": "Evaluate a saved model on its env or another registered one.",
    "bench": "Run a registered benchmark suite.",
    "plot": "Plot learning curves of run directories, seeds as a band.",
    "sweep": "Search hyperparameters on Ray Tune; one run directory per trial.",
}
"""One line per subcommand in ``hybrid-toolkit --help`` (short enough for 80 columns)."""

DESCRIPTION = "Reinforcement learning with hybrid (discrete + continuous) actions."
"""The first line of ``hybrid-toolkit --help``."""

GROUPS = ("algo", "env", "run")
"""The option groups of a train leaf (``--algo.*``, ``--env.*``, ``--run.*``)."""


@cache
def _unchecked(config_class: type) -> type:
    """``config_class`` with a no-op ``__post_init__``, for tyro to fill in (see module doc)."""
    params = getattr(config_class, "__dataclass_params__", None)
    return dataclasses.make_dataclass(
        config_class.__name__,
        [],
        bases=(config_class,),
        namespace={"__post_init__": lambda self: None, "checked_class": config_class},
        frozen=bool(getattr(params, "frozen", False)),
    )


def _init_values(config: Any) -> dict[str, Any]:
    return {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.init}


def _defer(config: Any | None) -> Any:
    """An unchecked copy of ``config`` (``None``: the default :class:`RunOptions`)."""
    config = RunOptions() if config is None else config
    config_class: type = getattr(type(config), "checked_class", type(config))
    return _unchecked(config_class)(**_init_values(config))


def check_leaf(leaf: Any) -> Any:
    """Replace the unchecked groups of a train leaf by the validated dataclasses.

    Raises:
        ValueError: (or ``TypeError``) from the first group whose validation refuses a value;
            the message names the config class and field (``PPOConfig.gamma must be …``).
    """
    for group in GROUPS:
        value = getattr(leaf, group)
        checked = getattr(type(value), "checked_class", None)
        if checked is not None:
            setattr(leaf, group, checked(**_init_values(value)))
    return leaf


@dataclasses.dataclass
class Unselectable:
    """Placeholder subcommand (hidden) that keeps a one-member union a union."""


def _union(
    options: dict[str, Any], *, prefix: bool = True, descriptions: dict[str, str] | None = None
) -> Any:
    """A tyro subcommand union; ``descriptions`` give members that are unions themselves a
    help line (tyro would print the docstring of ``typing.Union``)."""
    members: tuple[Any, ...] = tuple(
        Annotated[
            t,
            tyro.conf.subcommand(
                name, prefix_name=prefix, description=(descriptions or {}).get(name)
            ),
        ]
        for name, t in options.items()
    )
    if len(members) == 1:  # typing collapses Union[X] to X, which tyro would not offer as a choice
        hidden = Annotated[
            Unselectable, tyro.conf.subcommand("_", prefix_name=prefix), tyro.conf.Suppress
        ]
        members = (*members, hidden)
    return Union[members]  # noqa: UP007


def _stand_in(name: str, doc: str) -> type:
    """An empty subcommand that only carries ``name``'s description (never run)."""
    cls = dataclasses.make_dataclass(
        f"Unselected_{name.replace('-', '_')}", [], namespace={"stand_in": True}
    )
    cls.__doc__ = doc
    return cls


def _leaf_doc(algo: str, env: str) -> str:
    return f"Train {algo} on {env}: {env_spec(env).description}"


def _algo_doc(algo: str) -> str:
    return (get_algorithm(algo).__doc__ or algo).strip().splitlines()[0]


def _train_algo(
    algo: str, env: str | None, preset: str = "default", defaults: RunRecord | None = None
) -> type:
    """``train <algo>``: a one-field wrapper whose field is the union over environments.

    Only ``env``'s leaf is built in full (every leaf when ``env`` is ``"*"``).
    """
    leaves = {
        name: _train_leaf(algo, name, preset, defaults if name == env else None)
        if env in (name, "*")
        else _stand_in(name, _leaf_doc(algo, name))
        for name in list_envs()
    }
    envs = _union(leaves, prefix=False)
    field_type = Annotated[envs, tyro.conf.arg(name="", prefix_name=False)]  # type: ignore[valid-type]
    cls = dataclasses.make_dataclass(f"Train_{algo}", [("task", field_type)])
    cls.__doc__ = _algo_doc(algo)
    return cls


def selection(args: list[str]) -> tuple[str | None, str | None]:
    """The algorithm and environment a ``train`` command line names (``None`` where absent).

    Only the leading positional words count (``train ALGO ENV``), as in the grammar; names
    that are not registered select nothing, so tyro reports them with the valid choices.
    """
    words = []
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
    if len(words) < 2 or words[0] != "train" or words[1] not in list_algorithms():
        return None, None
    env = words[2] if len(words) > 2 and words[2] in list_envs() else None
    return words[1], env


def _preset_value(args: list[str]) -> tuple[int, str, str] | None:
    """Where the (last) ``--preset`` value sits: its index in ``args``, the text before the
    name there (``"--preset="`` or ``""``) and the name; ``None`` when there is no preset."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--preset" and i + 1 < len(args):
            found = (i + 1, "", args[i + 1])
        elif arg.startswith("--preset="):
            found = (i, "--preset=", arg.split("=", 1)[1])
    return found


def preset_selection(args: list[str], algo: str | None) -> str:
    """The ``--preset`` a command line names for ``algo`` (``"default"`` when absent).

    A name ``algo`` does not have is returned as ``"default"`` so that tyro, which also
    parses the flag, rejects it with the list of valid presets.
    """
    found = _preset_value(args)
    if algo is None or found is None or found[2] not in get_algorithm(algo).presets:
        return "default"
    return found[2]


def renamed_presets(args: list[str], algo: str | None) -> list[str]:
    """``args`` with an old snake_case ``--preset`` name replaced by its kebab-case name.

    tyro only offers the current names, so the old one is translated before it parses; the
    deprecation is printed as one ``warning:`` line (a command-line user has no source line
    to look at).
    """
    found = _preset_value(args)
    if algo is None or found is None:
        return args
    index, before, name = found
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        renamed = canonical_preset(algo, get_algorithm(algo).presets, name)
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    return [*args[:index], before + renamed, *args[index + 1 :]]


@cache
def cli_type(algo: str | None = None, env: str | None = None, preset: str = "default") -> Any:
    """The argument type ``list | train ALGO ENV | eval MODEL | bench SUITE | plot RUN_DIR…``.

    ``algo`` / ``env`` name the subtree built in full (see the module docstring); ``"*"``
    builds every algorithm's or environment's. ``preset`` gives the selected algorithm's
    ``--algo.*`` defaults.
    """
    return build_cli_type(algo, env, preset)


def build_cli_type(
    algo: str | None, env: str | None, preset: str = "default", defaults: RunRecord | None = None
) -> Any:
    """:func:`cli_type`, not cached, whose ``algo``/``env`` leaf takes ``defaults`` (a
    ``--config`` file's run) as the defaults of its options."""
    train = _union(
        {
            name: _train_algo(
                name, env, preset if name == algo else "default", defaults if name == algo else None
            )
            if algo in (name, "*")
            else _stand_in(name, _algo_doc(name))
            for name in list_algorithms()
        }
    )
    commands: dict[str, Any] = {"list": ListArgs, "train": train, "eval": EvalArgs}
    if list_suites():
        commands["bench"] = _union({name: bench_leaf(name) for name in list_suites()})
    commands["plot"] = PlotArgs
    commands["sweep"] = SweepArgs
    return _union(commands, descriptions=UNION_DESCRIPTIONS)


def parse(args: list[str] | None = None) -> Any:
    """Parse ``args`` (``sys.argv[1:]`` when ``None``); bad input exits with status 2.

    Returns a ``ListArgs``, an ``EvalArgs``, a ``PlotArgs``, a train leaf (with
    ``algo_name``/``env_name``), a ``ResumeArgs`` or a bench leaf (with ``suite_name``).

    Raises:
        ValueError: A ``--algo.*``/``--env.*``/``--run.*`` value that the config refuses.
    """
    argv = sys.argv[1:] if args is None else list(args)
    if argv[:1] == ["train"] and is_resume(argv):
        wants_help = any(arg in ("-h", "--help") for arg in argv)
        resume_args = ["--help"] if wants_help else argv[1:]
        return tyro.cli(ResumeArgs, args=resume_args, prog="hybrid-toolkit train")
    defaults = None
    if argv[:1] == ["train"]:
        argv, defaults = apply_config_file(argv, as_class=_unchecked)
    algo, env = selection(argv)
    argv = renamed_presets(argv, algo)
    parsed = _parse(argv, algo, env, preset_selection(argv, algo), defaults)
    if getattr(parsed, "stand_in", False):  # the quick look at argv missed the selection
        parsed = _parse(argv, "*", "*")
    return check_leaf(parsed) if hasattr(parsed, "algo_name") else parsed


def is_resume(argv: list[str]) -> bool:
    """Whether a ``train`` command line asks to resume a run (``--resume RUN_DIR``)."""
    return any(arg == "--resume" or arg.startswith("--resume=") for arg in argv)


def _parse(
    argv: list[str],
    algo: str | None,
    env: str | None,
    preset: str = "default",
    defaults: RunRecord | None = None,
) -> Any:
    kind = (
        cli_type(algo, env, preset)
        if defaults is None
        else build_cli_type(algo, env, preset, defaults)
    )
    parsed = tyro.cli(
        kind, args=argv, config=CLI_CONFIG, prog="hybrid-toolkit", description=DESCRIPTION
    )
    return getattr(parsed, "task", parsed)

"""What a sweep searches: a train run with some fields fixed and others drawn from a search space.

A sweep is described by a small YAML or JSON file, by command-line options, or both (options
override the file)::

    algo: ppo
    env: TargetRegime-v0
    fixed:                        # any train field, as group.field (like --algo.gamma 0.5)
      algo.gamma: 0.5
      run.total_timesteps: 40000
    space:                        # one axis per field: grid, choice, uniform or log_uniform
      algo.learning_rate: {log_uniform: [1.0e-4, 1.0e-2]}
      algo.ent_coef: {uniform: [0.0, 0.02]}
      run.seed: {grid: [0, 1]}
    num_samples: 16

On the command line the same axis is ``--space algo.learning_rate=log_uniform:1e-4,1e-2`` and
a fixed value ``--fixed algo.gamma=0.5``. Field names take ``_`` or ``-``.

A trial's configuration is a ``config.json`` document (see
:mod:`hybrid_toolkit.cli.run_record`): :func:`trial_document` puts the drawn values into the
sweep's base document, so every trial is an ordinary ``train`` run.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hybrid_toolkit.cli.did_you_mean import accepted_flags, suggestions
from hybrid_toolkit.cli.errors import UserError
from hybrid_toolkit.cli.run_record import FORMAT, record_document, record_from_document

KINDS = ("grid", "choice", "uniform", "log_uniform")
"""The kinds of search axis: every value (``grid``), one of a list (``choice``), a number drawn
uniformly (``uniform``) or uniformly in its logarithm (``log_uniform``) between two bounds."""

FILE_KEYS = (
    "algo",
    "env",
    "preset",
    "fixed",
    "space",
    "num_samples",
    "searcher",
    "scheduler",
    "metric",
    "mode",
    "seed",
)
"""The keys a sweep file may hold."""

GRID_INDEX = "__trial_index__"
"""Config key of a trial's grid point where the searcher proposes only the other axes (Optuna
through Ray's ``Repeater``, which sets it: the same proposal once per grid point)."""

SWEEP_SET = ("run.run_root",)
"""Fields the sweep sets itself (each trial's run directory lies under the sweep's folder)."""


@dataclass(frozen=True)
class Axis:
    """One searched field.

    Attributes:
        kind: One of :data:`KINDS`.
        values: The values (``grid``, ``choice``) or the two bounds (``uniform``, ``log_uniform``).
    """

    kind: str
    values: tuple[Any, ...]


@dataclass
class SweepSpec:
    """A sweep as its file and options describe it (before the searcher is built).

    Attributes:
        algo: Registered algorithm name.
        env: Registered environment id.
        preset: The algorithm's preset (defaults of the ``algo.*`` fields).
        fixed: ``group.field`` → value, for every trial.
        space: ``group.field`` → :class:`Axis`.
        num_samples: Configurations drawn (each run at every point of the grid axes).
        searcher: ``optuna``, ``random`` or ``grid``; empty picks (see :meth:`resolved`).
        scheduler: ``asha`` (early stopping) or ``fifo`` (every trial runs its full budget).
        metric: Reported key the search optimises; empty picks the env's default.
        mode: ``max`` or ``min``; empty picks the metric's direction.
        seed: Seed of the searcher's own draws.
    """

    algo: str = ""
    env: str = ""
    preset: str = "default"
    fixed: dict[str, Any] = field(default_factory=dict)
    space: dict[str, Axis] = field(default_factory=dict)
    num_samples: int = 0
    searcher: str = ""
    scheduler: str = "asha"
    metric: str = ""
    mode: str = ""
    seed: int = 0

    @property
    def grid_size(self) -> int:
        """Points of the grid axes together (1 without grid axes)."""
        return math.prod(len(a.values) for a in self.space.values() if a.kind == "grid")

    @property
    def searched_by_repeats(self) -> bool:
        """Whether the grid axes run as repeats of each proposal (Optuna proposes one point at
        a time, so each of its proposals is repeated once per grid point)."""
        return self.searcher == "optuna" and any(a.kind == "grid" for a in self.space.values())

    def grid_points(self) -> list[dict[str, Any]]:
        """Every point of the grid axes, ``group.field`` → value, in a fixed order."""
        grid = {key: axis.values for key, axis in self.space.items() if axis.kind == "grid"}
        return [
            dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())
        ]

    def trial_values(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The searched values of a trial from its Tune ``config`` (the grid point of
        :data:`GRID_INDEX` put in where the grid axes ran as repeats)."""
        values = {key: value for key, value in config.items() if key != GRID_INDEX}
        if GRID_INDEX in config:
            values.update(self.grid_points()[int(config[GRID_INDEX])])
        return values

    def to_json(self) -> dict[str, Any]:
        """The spec as a sweep file document (what ``sweep.json`` in the sweep's folder holds)."""
        document = {key: getattr(self, key) for key in FILE_KEYS if key != "space"}
        document["space"] = {k: {a.kind: list(a.values)} for k, a in self.space.items()}
        return json.loads(json.dumps(document))


def read_spec_file(path: Path) -> dict[str, Any]:
    """The document of a sweep file (``.yaml``/``.yml`` read as YAML, anything else as JSON).

    Raises:
        UserError: A missing or unreadable file, or one that is not a mapping.
    """
    if not path.is_file():
        raise UserError("SPEC", repr(str(path)), "an existing sweep file (YAML or JSON)")
    text = path.read_text()
    try:
        if path.suffix in (".yaml", ".yml"):
            import yaml  # installed with the [tune] extra (Ray and Optuna depend on it)

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as err:  # yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError
        message = " ".join(str(err).split())
        raise UserError("SPEC", repr(str(path)), f"a YAML or JSON file ({message})") from None
    if not isinstance(data, dict):
        raise UserError("SPEC", repr(str(path)), "a mapping of " + ", ".join(FILE_KEYS))
    unknown = [key for key in data if key not in FILE_KEYS]
    if unknown:
        raise UserError("SPEC", repr(str(path)), f"only the keys {', '.join(FILE_KEYS)}; {unknown}")
    return data


def number(text: Any) -> Any:
    """``text`` as a number where it reads as one (``"1e-4"``: YAML 1.1 keeps it a string)."""
    if isinstance(text, str):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return text
        return value if isinstance(value, int | float) and not isinstance(value, bool) else text
    return text


def parse_value(text: str) -> Any:
    """A command-line value: JSON where it parses (numbers, ``true``, ``[64, 64]``), else text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def axis_from_file(key: str, entry: Any) -> Axis:
    """The axis of ``space: {key: {kind: [...]}}`` in a sweep file.

    Raises:
        UserError: Not a one-key mapping of a kind in :data:`KINDS` to a list.
    """
    if not isinstance(entry, dict) or len(entry) != 1:
        raise UserError(f"space {key}", repr(entry), "one of {" + ": [...]}, {".join(KINDS) + "}")
    ((kind, values),) = entry.items()
    if not isinstance(values, list):
        raise UserError(f"space {key}", repr(entry), f"{{{kind}: [a list of values]}}")
    return make_axis(key, str(kind), values)


def axis_from_option(option: str) -> tuple[str, Axis]:
    """``algo.learning_rate=log_uniform:1e-4,1e-2`` → the field and its axis.

    The values after ``KIND:`` are comma-separated, or one JSON list (``choice:[[64,64],[32]]``).

    Raises:
        UserError: Not of the form ``FIELD=KIND:VALUES``.
    """
    key, sep, rest = option.partition("=")
    kind, colon, values_text = rest.partition(":")
    if not (sep and colon and key.strip() and values_text.strip()):
        raise UserError(
            "--space", repr(option), "FIELD=KIND:VALUES, e.g. algo.learning_rate=uniform:1e-4,1e-3"
        )
    text = values_text.strip()
    parsed = parse_value(text) if text.startswith("[") else None
    values = parsed if isinstance(parsed, list) else [parse_value(v) for v in text.split(",")]
    return key.strip(), make_axis(key.strip(), kind.strip(), values)


def make_axis(key: str, kind: str, values: list[Any]) -> Axis:
    """Check an axis: a known kind, a non-empty list, numeric increasing bounds.

    Raises:
        UserError: Naming the field, the values and what was expected.
    """
    flag = f"space {key}"
    if kind not in KINDS:
        raise UserError(flag, repr(kind), f"an axis kind: {', '.join(KINDS)}")
    if kind in ("grid", "choice"):
        if not values:
            raise UserError(flag, f"{kind} []", "at least one value")
        return Axis(kind, tuple(number(v) for v in values))
    bounds = [number(v) for v in values]
    numeric = all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
    if len(bounds) != 2 or not numeric or not bounds[0] < bounds[1]:
        raise UserError(flag, f"{kind} {values}", "two numbers, low < high")
    if kind == "log_uniform" and bounds[0] <= 0:
        raise UserError(flag, f"{kind} {values}", "bounds > 0 (log_uniform draws the logarithm)")
    return Axis(kind, (float(bounds[0]), float(bounds[1])))


def fixed_from_option(option: str) -> tuple[str, Any]:
    """``algo.gamma=0.5`` → ``("algo.gamma", 0.5)``.

    Raises:
        UserError: Not of the form ``FIELD=VALUE``.
    """
    key, sep, value = option.partition("=")
    if not sep or not key.strip():
        raise UserError("--fixed", repr(option), "FIELD=VALUE, e.g. algo.gamma=0.5")
    return key.strip(), parse_value(value.strip())


def field_key(key: str, spec: SweepSpec, where: str) -> str:
    """``key`` as ``group.field`` (dashes to underscores), checked against the train leaf.

    Raises:
        UserError: An unknown field (with the closest real ones), or one the sweep sets.
    """
    group, dot, name = key.replace("-", "_").partition(".")
    normal = f"{group}.{name}"
    flag = f"--{group}.{name.replace('_', '-')}"
    accepted = accepted_flags(["train", spec.algo, spec.env])
    if not dot or flag not in accepted:
        close = [c.removeprefix("--").replace("-", "_") for c in suggestions(flag, accepted)]
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise UserError(where, repr(key), f"a train field as algo.*, env.* or run.*{hint}")
    if normal in SWEEP_SET:
        raise UserError(where, repr(key), "a field the sweep does not set itself (run_root)")
    return normal


def trial_document(base: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The ``config.json`` document of a trial: ``base`` with ``group.field`` → value set.

    A number drawn for an integer field (``uniform`` over ``algo.n_steps``) is rounded.
    """
    document = copy.deepcopy(dict(base))
    for key, value in values.items():
        group, _, name = key.partition(".")
        current = document[group].get(name)
        integer = isinstance(current, int) and not isinstance(current, bool)
        document[group][name] = round(value) if integer and isinstance(value, float) else value
    return document


def base_document(spec: SweepSpec) -> dict[str, Any]:
    """The ``config.json`` document every trial starts from: the preset, the env's defaults, the
    sweep's ``fixed`` values and, unless fixed, no progress bar and no per-iteration table.

    Raises:
        ValueError: A fixed value the configs refuse (naming the field).
    """
    quiet = {"run.progress_bar": False, "run.verbose": 0}
    base = {"format": FORMAT, "algo_name": spec.algo, "env_name": spec.env, "preset": spec.preset}
    document = trial_document({**base, "algo": {}, "env": {}, "run": {}}, {**quiet, **spec.fixed})
    record = record_from_document(document, "SPEC", Path("sweep"))
    return record_document(record)


def check_space(spec: SweepSpec, base: Mapping[str, Any]) -> None:
    """Build a trial at every value and bound of every axis, so a value the configs refuse is
    reported before any trial starts.

    Raises:
        ValueError: The first refused value (naming the field and what it expects).
    """
    for key, axis in spec.space.items():
        for value in axis.values:
            record_from_document(trial_document(base, {key: value}), f"space {key}", Path(key))

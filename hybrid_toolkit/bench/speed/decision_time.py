"""``hybrid-toolkit bench decision-time``: decision time vs action-space size, the DGRL paper's
Table 1, every algorithm side by side.

For ``|A| = choices**d`` (``d`` ordinal components of ``choices`` levels each, the action space
of ``TargetMultiDiscrete-v0``) it builds each algorithm of ``DECIDERS`` untrained — the cost of
a decision does not depend on the weights — with the **same network widths** for all, and times
one **batched decision** (observation batch in, valid actions out, through the algorithm's public
``act``) for ``B`` states. Each cell is the median and inter-quartile range of ``--repeats``
timed runs of about ``--seconds`` each, in milliseconds per decision, plus its ratio to DGRL's
training decision. Wolpertinger enumerates the action set, so it is refused above its
``max_actions`` (10^6 actions), as it would be in training.

A second table (``--parts training``, `training_cost`) times whole **training** steps —
decisions, ``env.step`` and the gradient updates — per batched env step, every algorithm at its
own preset, on one-step problems of ``101^d`` actions (the job shop's ``101^10`` by default).

Writes ``decision-time.{json,md,png}`` and ``training-cost.{json,md}`` under ``--out-dir``;
``--docs-page`` rewrites the page's results block (the tables beside the paper's numbers) and
its ``training-cost`` block, and copies the JSON files and PNG beside it.
The paper measured about 3.3 ms per step for DGRL at every size and 12.8 → 80.2 ms for DNC (SA)
(its sizes were lost in the text extraction); see ``docs/benchmarks/decision-time.md``.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import torch
from torch import Tensor

import hybrid_toolkit as ht
from hybrid_toolkit.bench.registry import (
    ALL,
    BY_MODE,
    BenchOptions,
    register_suite,
    with_mode_defaults,
)
from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    load_average,
    publish,
    write_json,
)
from hybrid_toolkit.bench.speed.training_cost import TRAINERS, TimingSettings, run_training
from hybrid_toolkit.bench.timing import seconds_since
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.spaces import HybridAction

Decide = Callable[[Tensor], HybridAction]
DeciderFactory = Callable[[HybridEnv, int, dict[str, Any]], Decide]
"""``(env, seed, network) -> decide``: an untrained agent for ``env``, its batched decision."""

REFERENCE = "DGRL (train)"
"""The column every other one is divided by."""


def _agent(algo: str, preset: str, deterministic: bool, **extra: Any) -> DeciderFactory:
    def build(env: HybridEnv, seed: int, network: dict[str, Any]) -> Decide:
        cls = ht.get_algorithm(algo)
        model = cls(env, preset, seed=seed, device=env.device, verbose=0, **network, **extra)
        return lambda obs: model.act(obs, deterministic=deterministic)

    return build


DECIDERS: dict[str, DeciderFactory] = {
    "DGRL (train)": _agent("dgrl", "paper", deterministic=False),
    "DGRL (eval)": _agent("dgrl", "paper", deterministic=True),
    "DNC (SA)": _agent("dnc", "default", deterministic=False),
    "DNC (greedy)": _agent("dnc", "greedy", deterministic=False),
    "Cacla": _agent("cacla", "default", deterministic=False),
    "Wolpertinger": _agent("wolpertinger", "default", deterministic=False),
}
"""Columns: "train" decisions explore (Gaussian proto-action; DGRL's rank-based draw, DNC's
annealing); "eval" is DGRL's argmax over its SDN candidates. Algorithms keep their default
search settings (DNC: radius 2, two SA iterations; DGRL: r and k from the heuristics)."""


MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {
        "log10_sizes": (3, 7),
        "batch_sizes": (1,),
        "repeats": 1,
        "seconds": 0.002,
        "training_components": (2,),
        "training_seconds": 0.001,
        "training_warmup": 64,
    },
    "quick": {
        "log10_sizes": (3, 20),
        "batch_sizes": (1,),
        "repeats": 3,
        "seconds": 0.05,
        "training_components": (10,),
        "training_seconds": 0.5,
        "training_warmup": 640,
    },
    "full": {
        "log10_sizes": (3, 5, 10, 15, 20, 30, 50),
        "batch_sizes": (1, 64),
        "repeats": 5,
        "seconds": 0.2,
        "training_components": (10, 3),
        "training_seconds": 2.0,
        "training_warmup": 2000,
    },
}
"""What every option left at 0 / empty means in each mode (smoke: 10^7 shows the refusal)."""

PARTS = ("decisions", "training")
"""The suite's two tables: decision time vs |A|, training cost per env step."""


@dataclass
class DecisionTimeOptions(BenchOptions):
    """Options of the decision-time benchmark; 0 or empty: the mode's default."""

    log10_sizes: Annotated[tuple[int, ...], BY_MODE] = ()
    """Action-space sizes as numbers of components `d` (`|A| = choices**d`); full 3, 5,
    10, 15, 20, 30, 50; quick 3, 20."""
    choices: int = 10
    """Levels per component (10 makes `|A|` an exact power of ten)."""
    batch_sizes: Annotated[tuple[int, ...], BY_MODE] = ()
    """States per decision (1: the paper's single environment); full 1, 64; quick 1."""
    algorithms: Annotated[tuple[str, ...], ALL] = ()
    """Columns to run (keys of `DECIDERS`); empty: all of them."""
    actor_hidden: tuple[int, ...] = (64, 64, 64)
    """Actor widths of every algorithm (three hidden layers, as in the paper)."""
    critic_hidden: tuple[int, ...] = (128, 128, 128)
    """Critic widths of every algorithm."""
    repeats: Annotated[int, BY_MODE] = 0
    """Timed runs per cell, the median and inter-quartile range reported; full 5, quick 3."""
    seconds: Annotated[float, BY_MODE] = 0.0
    """Approximate duration of one timed run; full 0.2, quick 0.05."""
    seed: int = 0
    """Seed of the agents and of the observations."""
    threads: int = 1
    """`torch.set_num_threads`."""
    docs_page: str = ""
    """Docs page whose results block (decisions) and `training-cost` block are rewritten (JSON
    and PNG copied beside it); empty: none."""
    parts: Annotated[tuple[str, ...], ALL] = ()
    """Tables to measure: `decisions` (decision time vs |A|), `training` (training cost per
    env step); empty: both."""
    training_components: Annotated[tuple[int, ...], BY_MODE] = ()
    """Spaces of the training table, as numbers of components of `training_choices` levels;
    full 10, 3; quick 10."""
    training_choices: int = 101
    """Levels per component of the training table's spaces (101: the job shop's 0..100)."""
    training_algorithms: Annotated[tuple[str, ...], ALL] = ()
    """Rows of the training table (keys of `TRAINERS`); empty: all of them."""
    training_seconds: Annotated[float, BY_MODE] = 0.0
    """Approximate duration of one timed training run; full 2, quick 0.5."""
    training_warmup: Annotated[int, BY_MODE] = 0
    """Transitions each model trains before it is timed; full 2000, quick 640."""

    def __post_init__(self) -> None:
        super().__post_init__()
        unknown = [a for a in self.algorithms if a not in DECIDERS]
        if unknown:
            raise ValueError(f"algorithms {unknown} unknown; valid ones are: {', '.join(DECIDERS)}")
        unknown = [a for a in self.training_algorithms if a not in TRAINERS]
        if unknown:
            valid = ", ".join(TRAINERS)
            raise ValueError(f"training_algorithms {unknown} unknown; valid ones are: {valid}")
        if [p for p in self.parts if p not in PARTS]:
            raise ValueError(f"parts must be among {PARTS}, got {self.parts}")
        if self.training_choices < 2 or self.training_warmup < 0 or self.training_seconds < 0:
            raise ValueError("training_choices must be >= 2, training_warmup/seconds >= 0")
        for name, low in (("choices", 2), ("threads", 1), ("repeats", 0)):
            if getattr(self, name) < low:
                raise ValueError(f"{name} must be >= {low}, got {getattr(self, name)}")
        if self.log10_sizes and min(self.log10_sizes) < 1:
            raise ValueError(f"log10_sizes must be integers >= 1, got {self.log10_sizes}")
        if any(b < 1 for b in self.batch_sizes) or self.seconds < 0:
            raise ValueError("batch_sizes must be >= 1 and seconds >= 0 (0: the mode's default)")


@dataclass(frozen=True)
class Timing:
    """Milliseconds per decision over the timed runs."""

    median_ms: float
    q25_ms: float
    q75_ms: float
    runs_ms: tuple[float, ...]


@torch.no_grad()
def decision_time(decide: Decide, obs: Tensor, repeats: int = 5, seconds: float = 0.2) -> Timing:
    """Milliseconds per call of ``decide(obs)``: median and quartiles of ``repeats`` runs.

    The number of calls per run is calibrated so that one run lasts about ``seconds``; CUDA
    work is synchronised before each clock read.

    Args:
        decide: One batched decision, e.g. ``lambda obs: model.act(obs)``.
        obs: The observation batch it is called with.
        repeats: Timed runs.
        seconds: Target duration of one run.
    """
    for _ in range(3):  # warm-up: lazy initialisation, allocator, caches
        decide(obs)
    calls, elapsed = 1, 0.0
    while elapsed < seconds / 5:
        calls *= 2
        start = time.perf_counter()
        for _ in range(calls):
            decide(obs)
        elapsed = seconds_since(start, obs.device)
    calls = max(1, int(calls * seconds / elapsed))
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            decide(obs)
        runs.append(1e3 * seconds_since(start, obs.device) / calls)
    q1, _, q3 = (
        statistics.quantiles(runs, n=4, method="inclusive") if len(runs) > 1 else (runs[0],) * 3
    )
    return Timing(statistics.median(runs), q1, q3, tuple(runs))


def measure(args: DecisionTimeOptions) -> list[dict[str, Any]]:
    """Every (size, batch, algorithm) cell as a JSON-ready record (``None`` timing: refused)."""
    network = {"actor_hidden": args.actor_hidden, "critic_hidden": args.critic_hidden}
    records = []
    for d in args.log10_sizes:
        for batch in args.batch_sizes:
            env = ht.make(
                "TargetMultiDiscrete-v0",
                num_envs=batch,
                device=args.device,
                n_components=d,
                component_size=args.choices,
            )
            obs = env.reset(seed=args.seed)
            for name in args.algorithms or tuple(DECIDERS):
                record: dict[str, Any] = {
                    "components": d,
                    "log10_cardinality": env.action_space.log10_cardinality,
                    "batch_size": batch,
                    "algorithm": name,
                }
                try:
                    decide = DECIDERS[name](env, args.seed, network)
                except ValueError as refusal:  # Wolpertinger above max_actions
                    record.update(timing=None, refused=str(refusal).split(";")[0])
                    shown = "refused"
                else:
                    timing = decision_time(decide, obs, args.repeats, args.seconds)
                    record["timing"] = dataclasses.asdict(timing)
                    shown = f"{timing.median_ms:8.3f} ms"
                records.append(record)
                print(f"|A|=10^{d:<3} B={batch:<4} {name:14s} {shown}", flush=True)
    return records


def _cell(record: dict[str, Any] | None) -> str:
    if record is None or record["timing"] is None:
        return "–"
    t = record["timing"]
    return f"{t['median_ms']:.2f} [{t['q25_ms']:.2f}, {t['q75_ms']:.2f}]"


def _ratio(record: dict[str, Any] | None, reference: dict[str, Any] | None) -> str:
    if record is None or reference is None or None in (record["timing"], reference["timing"]):
        return "–"
    return f"{record['timing']['median_ms'] / reference['timing']['median_ms']:.2f}×"


def markdown(records: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The results block: settings, then per batch size a timing and a ratio table."""
    algorithms = list(dict.fromkeys(r["algorithm"] for r in records))
    args = meta["args"]
    lines = [
        *environment_lines(meta["environment"]),
        f"- spaces: `TargetMultiDiscrete-v0` with d components of {args['choices']} levels "
        f"(|A| = {args['choices']}^d); every agent untrained with actor "
        f"{tuple(args['actor_hidden'])} and critic(s) {tuple(args['critic_hidden'])}",
        f"- seed {args['seed']}; median [inter-quartile range] of {args['repeats']} timed runs "
        f"of ~{args['seconds']} s each, in milliseconds per batched decision",
        "",
    ]
    for batch in dict.fromkeys(r["batch_size"] for r in records):
        rows = [r for r in records if r["batch_size"] == batch]
        sizes = list(dict.fromkeys(r["components"] for r in rows))
        cell = {(r["components"], r["algorithm"]): r for r in rows}
        others = [a for a in algorithms if a != REFERENCE]
        lines += [f"#### Batch of {batch} state{'s' if batch > 1 else ''}", ""]
        lines += [f"<!-- --8<-- [start:batch-{batch}] -->"]
        lines.append("| log10 \\|A\\| | " + " | ".join(algorithms) + " |")
        lines.append("|---" * (1 + len(algorithms)) + "|")
        for d in sizes:
            log10 = next(r["log10_cardinality"] for r in rows if r["components"] == d)
            cells = [_cell(cell.get((d, a))) for a in algorithms]
            lines.append(f"| {log10:.0f} | " + " | ".join(cells) + " |")
        lines += [f"<!-- --8<-- [end:batch-{batch}] -->", ""]
        if REFERENCE in algorithms and others:
            lines += [f"Ratio to {REFERENCE} (batch of {batch}; above 1: slower than DGRL):", ""]
            lines.append("| log10 \\|A\\| | " + " | ".join(others) + " |")
            lines.append("|---" * (1 + len(others)) + "|")
            for d in sizes:
                ref = cell.get((d, REFERENCE))
                cells = [_ratio(cell.get((d, a)), ref) for a in others]
                log10 = next(r["log10_cardinality"] for r in rows if r["components"] == d)
                lines.append(f"| {log10:.0f} | " + " | ".join(cells) + " |")
            lines.append("")
    lines += ["![Decision time vs action-space size](decision-time.png)", ""]
    return "\n".join(lines)


def plot(records: list[dict[str, Any]], path: Path) -> Path:
    """Milliseconds per decision vs log10 |A|, median with IQR bars, one panel per batch size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    batches = list(dict.fromkeys(r["batch_size"] for r in records))
    fig, axes = plt.subplots(1, len(batches), figsize=(5.5 * len(batches), 4), squeeze=False)
    for ax, batch in zip(axes[0], batches, strict=True):
        for name in dict.fromkeys(r["algorithm"] for r in records):
            rows = [
                r
                for r in records
                if r["batch_size"] == batch and r["algorithm"] == name and r["timing"]
            ]
            if not rows:
                continue
            x = [r["log10_cardinality"] for r in rows]
            med = [r["timing"]["median_ms"] for r in rows]
            err = [
                [m - r["timing"]["q25_ms"] for m, r in zip(med, rows, strict=True)],
                [r["timing"]["q75_ms"] - m for m, r in zip(med, rows, strict=True)],
            ]
            ax.errorbar(x, med, yerr=err, marker="o", capsize=3, label=name)
        ax.set_yscale("log")
        ax.set_xlabel("log10 |A|")
        ax.set_ylabel("ms per batched decision")
        ax.set_title(f"batch of {batch}")
        ax.grid(alpha=0.3, which="both")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


@register_suite(
    "decision-time",
    DecisionTimeOptions,
    "ms per batched decision vs log10 |A| (DGRL paper Table 1) and ms per training env step: "
    "DGRL, DNC, Cacla, Wolpertinger",
)
def run(options: DecisionTimeOptions) -> int:
    """Time every cell; writes ``decision-time.{json,md,png}`` and ``training-cost.{json,md}``
    under ``out_dir``."""
    args = with_mode_defaults(options, MODE_DEFAULTS)
    torch.set_num_threads(args.threads)
    parts = args.parts or PARTS
    out = Path(args.out_dir)
    if "decisions" in parts:
        meta = {"environment": environment(args.device), "args": dataclasses.asdict(args)}
        records = measure(args)
        meta["environment"]["load_average_end"] = load_average()
        json_path = write_json(out / "decision-time.json", {**meta, "results": records})
        png = plot(records, out / "decision-time.png")
        block = markdown(records, meta)
        publish(block, out / "decision-time.md", png, args.docs_page, (json_path,))
    if "training" in parts:
        run_training(
            args.training_algorithms or tuple(TRAINERS),
            args.training_components,
            args.training_choices,
            TimingSettings(args.repeats, args.training_seconds, args.training_warmup),
            args.seed,
            args.device,
            out,
            args.docs_page,
        )
    return 0

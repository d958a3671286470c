"""Decision time vs action-space size: the DGRL paper's Table 1 analogue.

For growing job-shop (``101^m`` actions) and order-up-to replenishment (``67^N``) spaces it
times one **batched decision** — observation batch in, valid actions out — of each algorithm
in ``DECIDERS``, untrained (the cost of a decision does not depend on the weights), with the
same network widths for every algorithm. Each number is the median (and inter-quartile range)
of ``--repeats`` timed runs of about ``--seconds`` each, in milliseconds per decision.

The measuring function `decision_time` and the `DECIDERS` registry are importable, so other
algorithms (DNC, Cacla, ...) become more columns of the same table::

    from benchmarks.dgrl_decision_time import DECIDERS, Args, main
    DECIDERS["dnc (SA)"] = lambda env, seed: DNC(env, seed=seed).act   # (obs) -> action
    main(Args())

Usage::

    python benchmarks/dgrl_decision_time.py                      # writes JSON + Markdown
    python benchmarks/dgrl_decision_time.py --batch-sizes 1 --repeats 3 --out-dir /tmp/dt
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import tyro
from torch import Tensor

import hybrid_toolkit as ht
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.spaces import HybridAction

Decide = Callable[[Tensor], HybridAction]
DeciderFactory = Callable[[HybridEnv, int], Decide]
"""``(env, seed) -> decide``: builds an (untrained) agent for ``env``, returns its decision."""

NETWORK: dict[str, Any] = {"actor_hidden": (128, 128, 128), "critic_hidden": (256, 256, 256)}
"""Network widths every algorithm gets (the DGRL presets for job shop and replenishment)."""


def _dgrl(deterministic: bool) -> DeciderFactory:
    def build(env: HybridEnv, seed: int) -> Decide:
        model = ht.DGRL(env, "paper", seed=seed, verbose=0, **NETWORK)
        return lambda obs: model.act(obs, deterministic=deterministic)

    return build


def _h_cacla(env: HybridEnv, seed: int) -> Decide:
    model = ht.HCacla(env, "paper", seed=seed, verbose=0, **NETWORK)
    return lambda obs: model.act(obs, deterministic=False)


DECIDERS: dict[str, DeciderFactory] = {
    "DGRL (train)": _dgrl(deterministic=False),
    "DGRL (eval)": _dgrl(deterministic=True),
    "H-Cacla (rounding)": _h_cacla,
}
"""Columns of the table: name -> factory. "train" decisions add Gaussian exploration and the
rank-based draw; "eval" takes the argmax. H-Cacla's decision is the actor plus rounding (the
Cacla baseline's cost)."""


@dataclass(frozen=True)
class SpaceCase:
    """One row: a registered env id with overrides that set the size of its action space."""

    env_id: str
    overrides: dict[str, int]

    @property
    def label(self) -> str:
        """``JobShop-v0 (n_machines=10)``."""
        args = ", ".join(f"{k}={v}" for k, v in self.overrides.items())
        return f"{self.env_id} ({args})"


CASES: tuple[SpaceCase, ...] = (
    *(SpaceCase("JobShop-v0", {"n_machines": m}) for m in (2, 3, 5, 10, 20, 40)),
    *(SpaceCase("OrderUpToReplenishment-v0", {"n_items": n}) for n in (2, 5, 11, 40)),
)
"""|A| from 10^3.7 to 10^80: 101^m job-shop loads and 67^N order-up-to levels."""


@dataclass
class Args:
    """Options of the decision-time benchmark."""

    batch_sizes: tuple[int, ...] = (1, 64)
    """Observations per decision (1: the paper's single environment)."""
    algorithms: tuple[str, ...] = ()
    """Columns to run (keys of ``DECIDERS``); empty runs all of them."""
    repeats: int = 7
    """Timed runs per measurement; the median and inter-quartile range are reported."""
    seconds: float = 0.3
    """Approximate duration of one timed run."""
    seed: int = 0
    """Seed of the agents and of the observations."""
    device: str = "cpu"
    """Torch device of the agents and envs."""
    threads: int = 1
    """``torch.set_num_threads``."""
    out_dir: str = "docs/benchmarks"
    """Folder for ``dgrl-decision-time.json`` and ``dgrl-decision-time.md``; empty: no files."""
    cases: tuple[SpaceCase, ...] = field(default=CASES)
    """Rows of the table."""


@dataclass(frozen=True)
class Timing:
    """Milliseconds per decision over the timed runs."""

    median_ms: float
    q25_ms: float
    q75_ms: float
    runs_ms: tuple[float, ...]


def _synced(start: float, device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


@torch.no_grad()
def decision_time(decide: Decide, obs: Tensor, repeats: int = 7, seconds: float = 0.3) -> Timing:
    """Milliseconds per call of ``decide(obs)`` (median and quartiles of ``repeats`` runs).

    The number of calls per run is calibrated so that one run lasts about ``seconds``; CUDA
    work is synchronised before each clock read.

    Args:
        decide: One batched decision, e.g. ``lambda obs: model.act(obs)``.
        obs: The observation batch it is called with.
        repeats: Timed runs.
        seconds: Target duration of one run.
    """
    for _ in range(3):  # warm-up (lazy initialisation, allocator, caches)
        decide(obs)
    calls, elapsed = 1, 0.0
    while elapsed < seconds / 5:
        calls *= 2
        start = time.perf_counter()
        for _ in range(calls):
            decide(obs)
        elapsed = _synced(start, obs.device)
    calls = max(1, int(calls * seconds / elapsed))
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            decide(obs)
        runs.append(1e3 * _synced(start, obs.device) / calls)
    q1, _, q3 = (
        statistics.quantiles(runs, n=4, method="inclusive") if len(runs) > 1 else (runs[0],) * 3
    )
    return Timing(statistics.median(runs), q1, q3, tuple(runs))


def measure(args: Args) -> list[dict[str, Any]]:
    """Every (case, batch size, algorithm) timing as a JSON-ready record."""
    algorithms = args.algorithms or tuple(DECIDERS)
    unknown = [a for a in algorithms if a not in DECIDERS]
    if unknown:
        raise SystemExit(f"unknown algorithm(s) {unknown}; valid ones are: {', '.join(DECIDERS)}")
    records = []
    for case in args.cases:
        for batch in args.batch_sizes:
            env = ht.make(case.env_id, num_envs=batch, device=args.device, **case.overrides)
            obs = env.reset(seed=args.seed)
            for name in algorithms:
                timing = decision_time(
                    DECIDERS[name](env, args.seed), obs, args.repeats, args.seconds
                )
                records.append(
                    {
                        "case": case.label,
                        "env_id": case.env_id,
                        "overrides": case.overrides,
                        "log10_cardinality": env.action_space.log10_cardinality,
                        "n_discrete": env.action_space.n_discrete,
                        "batch_size": batch,
                        "algorithm": name,
                        **dataclasses.asdict(timing),
                    }
                )
                print(
                    f"{case.label:45s} B={batch:<4d} {name:20s} {timing.median_ms:8.3f} ms",
                    flush=True,
                )
    return records


def settings(args: Args) -> dict[str, Any]:
    """Versions, machine and settings of the run."""
    return {
        "date": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        "machine": f"{platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} logical CPUs",
        "load_average_at_start": os.getloadavg()[0],
        "python": platform.python_version(),
        "torch": torch.__version__,
        "hybrid_toolkit": ht.__version__,
        "device": args.device,
        "torch_threads": torch.get_num_threads(),
        "seed": args.seed,
        "repeats": args.repeats,
        "seconds_per_run": args.seconds,
        "network": {k: list(v) for k, v in NETWORK.items()},
    }


def to_markdown(records: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The results as a Markdown page: settings, then one table per batch size."""
    algorithms = list(dict.fromkeys(r["algorithm"] for r in records))
    lines = [
        "# DGRL decision time vs action-space size",
        "",
        "Milliseconds per batched decision (observations in, valid actions out) of untrained",
        "agents with the same network widths, median of the timed runs with the inter-quartile",
        "range in brackets; the DGRL paper's Table 1 analogue (paper: about 3.3 ms per step for",
        "DGRL at every size, 12.8-80 ms for DNC with simulated annealing). Produced by",
        "",
        "```bash",
        "python benchmarks/dgrl_decision_time.py",
        "```",
        "",
        f"- date: {meta['date']}",
        f"- machine: {meta['machine']}, load average {meta['load_average_at_start']:.1f} at start",
        f"- python {meta['python']}, torch {meta['torch']}, "
        f"hybrid_toolkit {meta['hybrid_toolkit']}",
        f"- device {meta['device']}, torch threads {meta['torch_threads']}, seed {meta['seed']}, "
        f"median of {meta['repeats']} runs of ~{meta['seconds_per_run']} s",
        f"- networks: actor {tuple(meta['network']['actor_hidden'])}, critics "
        f"{tuple(meta['network']['critic_hidden'])}",
        "",
    ]
    for batch in dict.fromkeys(r["batch_size"] for r in records):
        rows = [r for r in records if r["batch_size"] == batch]
        # section markers let other pages include one table (pymdownx.snippets)
        lines += [f"## Batch of {batch}", "", f"<!-- --8<-- [start:batch-{batch}] -->"]
        lines.append("| action space | d | log10 \\|A\\| | " + " | ".join(algorithms) + " |")
        lines.append("|---" * (3 + len(algorithms)) + "|")
        for case in dict.fromkeys(r["case"] for r in rows):
            cells = {r["algorithm"]: r for r in rows if r["case"] == case}
            first = next(iter(cells.values()))
            timing = [
                f"{c['median_ms']:.2f} [{c['q25_ms']:.2f}, {c['q75_ms']:.2f}]"
                if (c := cells.get(a))
                else "–"
                for a in algorithms
            ]
            lines.append(
                f"| {case} | {first['n_discrete']} | {first['log10_cardinality']:.1f} | "
                + " | ".join(timing)
                + " |"
            )
        lines += [f"<!-- --8<-- [end:batch-{batch}] -->", ""]
    return "\n".join(lines)


def main(args: Args) -> dict[str, Any]:
    """Run the benchmark, print the table, write JSON + Markdown when ``out_dir`` is set."""
    torch.set_num_threads(args.threads)
    meta = settings(args)
    records = measure(args)
    report = to_markdown(records, meta)
    print("\n" + report)
    result = {"settings": meta, "results": records}
    if args.out_dir:
        out = Path(args.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "dgrl-decision-time.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / "dgrl-decision-time.md").write_text(report)
    return result


if __name__ == "__main__":
    main(tyro.cli(Args))

"""Milliseconds per batched decision vs action-space size: DNC (SA), greedy DNC, Cacla, …

The analogue of the DGRL paper's Table 1 for the baselines of ``hybrid_toolkit.algorithms.dnc``.
For each size ``|A| = n**d`` (``n`` choices per component, ``d`` components) it builds the
networks the algorithms use (a Gaussian actor and a Q-critic on ``obs_dim`` features, default
widths) and times one **decision** — actor forward pass plus the algorithm's selection — for a
batch of ``B`` states, with exactly the functions the algorithms call:

* ``cacla``: `round_to_nearest` (MinMax makes the same decision);
* ``dnc-greedy``: `NeighbourhoodSearch` with ``kind="greedy"`` (one neighbourhood);
* ``dnc-sa``: `NeighbourhoodSearch` with simulated annealing, training mode (the decision made
  while collecting; evaluation-mode SA is hill climbing and costs the same per iteration);
* ``wolpertinger``: `NearestNeighbourSelection` (exact k-NN over the enumerated set) while
  ``|A| <= --max-enumerated``, else refused;
* ``dnc-sa (one at a time)``: the same SA decisions made for one scenario after another, as an
  unbatched implementation (the reference code's) would — the batching speedup.

Each cell is the median over ``--repeats`` timed runs of ``~--seconds``; the report states the
machine, versions, load average and settings. Writes ``<out-dir>/dnc_decision_time.json`` and
``<out-dir>/dnc_decision_time.md``.

Usage::

    python benchmarks/dnc_decision_time.py
    python benchmarks/dnc_decision_time.py --log10-sizes 3 10 20 --batch-sizes 1 --out-dir /tmp
"""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import tyro

from hybrid_toolkit.algorithms.dnc import (
    ActionCodec,
    AnnealingSchedule,
    DNCConfig,
    NearestNeighbourSelection,
    NeighbourhoodSearch,
    round_to_nearest,
)
from hybrid_toolkit.algorithms.dnc.networks import GaussianActor, QCritic
from hybrid_toolkit.spaces import HybridSpace


@dataclass(frozen=True)
class Args:
    """Options of the decision-time benchmark."""

    log10_sizes: tuple[int, ...] = (3, 5, 10, 15, 20, 30)
    """Action-space sizes as powers of ten: ``d = log10 |A|`` components of ``choices`` each."""
    choices: int = 10
    """Choices per discrete component (10 makes ``|A|`` an exact power of ten)."""
    batch_sizes: tuple[int, ...] = (1, 256)
    """Batch sizes ``B`` (states decided at once)."""
    obs_dim: int = 8
    """Feature size of the synthetic states."""
    max_enumerated: int = 1_000_000
    """Largest ``|A|`` Wolpertinger is timed at (its default ``max_actions``)."""
    sequential_batch: int = 256
    """Batch size of the one-at-a-time comparison (0 disables it)."""
    repeats: int = 5
    """Timed runs per cell; the median is reported."""
    seconds: float = 0.3
    """Approximate duration of one timed run."""
    seed: int = 0
    """Seed of the networks and states."""
    device: str = "cpu"
    """Torch device."""
    threads: int = 1
    """``torch.set_num_threads``."""
    out_dir: str = "benchmarks/results"
    """Folder for ``dnc_decision_time.json`` and ``dnc_decision_time.md``."""


def _synced(start: float, device: str) -> float:
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start


def median_ms(decide: Callable[[], object], args: Args) -> float:
    """Median milliseconds of one ``decide()`` call, the call count calibrated to ``seconds``."""
    for _ in range(3):
        decide()
    n, elapsed = 1, 0.0
    while elapsed < args.seconds / 10:
        n *= 2
        start = time.perf_counter()
        for _ in range(n):
            decide()
        elapsed = _synced(start, args.device)
    n = max(1, int(n * args.seconds / elapsed))
    runs = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for _ in range(n):
            decide()
        runs.append(_synced(start, args.device) * 1e3 / n)
    return statistics.median(runs)


def deciders(space: HybridSpace, batch: int, args: Args) -> dict[str, Callable[[], object] | None]:
    """One zero-argument decision per method (``None``: the method refuses this space)."""
    cfg, device = DNCConfig(), torch.device(args.device)
    gen = torch.Generator(device=device).manual_seed(args.seed)
    torch.manual_seed(args.seed)
    codec = ActionCodec(space, device)
    actor = GaussianActor(args.obs_dim, codec.dim, cfg.actor_hidden, cfg.activation, 0.5)
    critic = QCritic(args.obs_dim, codec.dim, cfg.critic_hidden, cfg.activation)
    actor.to(device)
    critic.to(device)
    feats = torch.rand(batch, args.obs_dim, generator=gen, device=device)
    greedy = NeighbourhoodSearch(codec, "greedy", cfg.perturbation_range)
    sa = NeighbourhoodSearch(codec, "sa", cfg.perturbation_range, cfg.schedule)

    @torch.no_grad()
    def cacla() -> object:
        return round_to_nearest(codec, actor.sample(feats, gen))

    @torch.no_grad()
    def dnc_greedy() -> object:
        return greedy.select(critic, feats, actor.sample(feats, gen), True, gen)

    @torch.no_grad()
    def dnc_sa() -> object:
        return sa.select(critic, feats, actor.sample(feats, gen), True, gen)

    out: dict[str, Callable[[], object] | None] = {
        "cacla": cacla,
        "dnc-greedy": dnc_greedy,
        "dnc-sa": dnc_sa,
        "wolpertinger": None,
    }
    if math.prod(c.n for c in space.discrete) <= args.max_enumerated:
        lookup = NearestNeighbourSelection(codec, 10, args.max_enumerated)

        @torch.no_grad()
        def wolpertinger() -> object:
            return lookup.select(critic, feats, actor.sample(feats, gen))

        out["wolpertinger"] = wolpertinger
    if batch == args.sequential_batch:
        rows = [feats[i : i + 1] for i in range(batch)]

        @torch.no_grad()
        def one_at_a_time() -> object:
            return [sa.select(critic, f, actor.sample(f, gen), True, gen) for f in rows]

        out["dnc-sa (one at a time)"] = one_at_a_time
    return out


def measure(args: Args) -> list[dict[str, object]]:
    """Every (size, batch, method) cell as a dict (``ms`` is ``None`` where refused)."""
    results = []
    for log10 in args.log10_sizes:
        space = HybridSpace.multi_discrete([args.choices] * log10)
        for batch in args.batch_sizes:
            for method, decide in deciders(space, batch, args).items():
                ms = median_ms(decide, args) if decide is not None else None
                row = {"log10_actions": space.log10_cardinality, "components": log10}
                row.update(batch=batch, method=method, ms_per_decision=ms)
                results.append(row)
                shown = f"{ms:.3f} ms" if ms is not None else "refused"
                print(f"|A|=10^{log10:<3} B={batch:<4} {method:<24} {shown}", flush=True)
    return results


def settings(args: Args) -> dict[str, object]:
    """Machine, versions and settings recorded next to the numbers."""
    cfg = DNCConfig()
    schedule: AnnealingSchedule = cfg.schedule
    return {
        "date": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        "machine": f"{platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} logical CPUs",
        "load_average_at_start": os.getloadavg()[0],
        "python": platform.python_version(),
        "torch": torch.__version__,
        "device": args.device,
        "threads": torch.get_num_threads(),
        "dnc": {
            "perturbation_range": cfg.perturbation_range,
            "sa_iterations": len(schedule.pool_sizes()),
            "sa_search_steps": schedule.search_steps,
            "cooling": schedule.cooling,
            "actor_hidden": list(cfg.actor_hidden),
            "critic_hidden": list(cfg.critic_hidden),
        },
        "wolpertinger_k": 10,
        "args": asdict(args),
    }


def markdown(results: list[dict[str, object]], info: dict[str, object], args: Args) -> str:
    """The report: settings, then one table per batch size (rows: |A|, columns: methods)."""
    dnc = info["dnc"]
    assert isinstance(dnc, dict)
    lines = [
        f"- date: {info['date']}; machine: {info['machine']}, load average "
        f"{info['load_average_at_start']:.1f} at start",
        f"- python {info['python']}, torch {info['torch']}, device {info['device']}, "
        f"{info['threads']} torch thread(s); median of {args.repeats} runs of ~{args.seconds} s",
        f"- spaces: d components of {args.choices} choices (|A| = {args.choices}^d); "
        f"{args.obs_dim} state features; actor {dnc['actor_hidden']}, critic "
        f"{dnc['critic_hidden']}; DNC radius R = {dnc['perturbation_range']}, SA "
        f"{dnc['sa_iterations']} iterations (K0 = {dnc['sa_search_steps']}, cooling "
        f"{dnc['cooling']}); Wolpertinger k = {info['wolpertinger_k']}, refused above "
        f"{args.max_enumerated:,} actions",
        "",
    ]
    methods = list(dict.fromkeys(str(r["method"]) for r in results))
    for batch in args.batch_sizes:
        cells = [r for r in results if r["batch"] == batch]
        present = [m for m in methods if any(r["method"] == m for r in cells)]
        lines += [f"Milliseconds per decision for a batch of B = {batch} states:", ""]
        lines.append("| \\|A\\| | " + " | ".join(present) + " |")
        lines.append("|---" * (len(present) + 1) + "|")
        for log10 in args.log10_sizes:
            row = {r["method"]: r["ms_per_decision"] for r in cells if r["components"] == log10}
            shown = [
                "–" if row.get(m) is None else f"{float(row[m]):.2f}"  # type: ignore[arg-type]
                for m in present
            ]
            lines.append(f"| 10^{log10} | " + " | ".join(shown) + " |")
        lines.append("")
    return "\n".join(lines)


def main(args: Args) -> str:
    """Run the benchmark, write JSON and Markdown, return the Markdown."""
    torch.set_num_threads(args.threads)
    info = settings(args)
    results = measure(args)
    report = markdown(results, info, args)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "dnc_decision_time.json").write_text(
        json.dumps({"settings": info, "results": results}, indent=2) + "\n"
    )
    (out / "dnc_decision_time.md").write_text(report)
    print("\n" + report)
    return report


if __name__ == "__main__":
    main(tyro.cli(Args))

"""One learning-sweep run per (case, MKL setting, seed), cached as a JSON file.

MKL picks its kernels when the process loads it, so each MKL setting runs in its own worker
process (``python -m hybrid_toolkit.bench.learning.worker``) started with ``MKL_CBWR`` set; the
worker trains the runs that are not cached yet, one after the other on one torch thread.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hybrid_toolkit.bench.report import cpu_name

MKL_SETTINGS = ("default", "COMPATIBLE", "AVX2")
"""``MKL_CBWR`` values the sweep knows; ``default`` leaves the variable unset."""


def cpu_slug() -> str:
    """A folder-safe name of this CPU and the vector kernels torch uses on it.

    Results differ between CPUs, so caches are kept apart; virtual machines often report a
    generic model name, hence the kernel level (AVX512, AVX2 …) in the name.
    """
    import torch

    name = f"{cpu_name()} {torch.backends.cpu.get_cpu_capability()}"
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "unknown-cpu"


def run_path(cache_dir: Path, case: str, mkl: str, seed: int) -> Path:
    """Where the run of ``case`` at ``seed`` under ``mkl`` is cached."""
    return cache_dir / cpu_slug() / f"{case}__{mkl}__s{seed}.json"


def load_run(cache_dir: Path, case: str, task: str, mkl: str, seed: int) -> dict[str, Any] | None:
    """The cached run, or ``None`` when missing or trained on another budget (``task``)."""
    path = run_path(cache_dir, case, mkl, seed)
    if not path.is_file():
        return None
    run: dict[str, Any] = json.loads(path.read_text())
    return run if run.get("task") == task else None


def train_missing(cache_dir: Path, cases: Sequence[str], seeds: Sequence[int], mkl: str) -> None:
    import torch

    from hybrid_toolkit.bench.learning.cases import LEARNING_CASES

    torch.set_num_threads(1)
    for name in cases:
        case = LEARNING_CASES[name]
        for seed in seeds:
            if load_run(cache_dir, name, case.task, mkl, seed) is not None:
                continue
            start = time.perf_counter()
            score = float(case.train_and_score(seed))
            run = {
                "case": name,
                "task": case.task,
                "mkl": mkl,
                "seed": seed,
                "score": score,
                "passed": case.passes(score),
                "seconds": round(time.perf_counter() - start, 2),
                "cpu": cpu_name(),
                "torch": torch.__version__,
            }
            path = run_path(cache_dir, name, mkl, seed)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(run, indent=2) + "\n")
            print(f"{name} mkl={mkl} seed={seed}: {score:.4f} ({run['seconds']} s)", flush=True)


def run_worker(cache_dir: Path, cases: Sequence[str], seeds: Sequence[int], mkl: str) -> None:
    """Train the missing runs of ``cases`` x ``seeds`` in a fresh process under ``mkl``.

    Raises:
        RuntimeError: The worker process failed (its output is shown above the error).
    """
    env = dict(os.environ)
    env.pop("MKL_CBWR", None)
    if mkl != "default":
        env["MKL_CBWR"] = mkl
    env.setdefault("OMP_NUM_THREADS", "1")
    command = [
        sys.executable,
        "-m",
        "hybrid_toolkit.bench.learning.worker",
        "--cache-dir",
        str(cache_dir),
        "--mkl",
        mkl,
        "--cases",
        *cases,
        "--seeds",
        *map(str, seeds),
    ]
    result = subprocess.run(command, env=env, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"learning-sweep worker for MKL_CBWR={mkl} exited {result.returncode}")

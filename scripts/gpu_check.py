"""GPU check: every algorithm's CUDA tests, then one HPO update at [512, 512] timed on each device.

Run on a machine with a CUDA GPU (the tests are skipped elsewhere)::

    python scripts/gpu_check.py --out gpu_check        # tests + timings, JSON and Markdown

The timing is the HPO paper's setting (joint replenishment, n = 5 items, B = 128 scenarios,
T = 100 periods, the ``jrp`` preset with [512, 512] networks): ``collect`` (the rollout with its
autograd graph) plus ``update`` (the mixed-gradient step and the discrete PPO epochs), medians
over a few updates after a warm-up one, on CUDA and on the CPU side by side in the same run.
``--quick`` ([64, 64], B = 16, CPU only, no tests) is what the test suite runs, so the script
cannot rot.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import torch

import hybrid_toolkit as ht
from hybrid_toolkit.bench.report import environment, environment_lines

ROOT = Path(__file__).resolve().parents[1]


def time_hpo_updates(
    device: str, hidden: tuple[int, ...], updates: int, batch: int = 128
) -> dict[str, float]:
    """Median seconds of ``collect`` and ``update`` over ``updates`` updates after one warm-up."""
    env = ht.make("JointReplenishment-v0", num_envs=batch, n_items=5, device=device)
    model = ht.HPO(
        env,
        "jrp",
        seed=0,
        num_envs=batch,
        device=device,
        verbose=0,
        discrete_hidden=hidden,
        continuous_hidden=hidden,
        value_hidden=hidden,
        dev_split="",
    )
    model.total_timesteps_target = 1600 * env.num_envs * model.config.n_steps
    times: dict[str, list[float]] = {"collect": [], "update": []}
    for i in range(updates + 1):
        start = time.perf_counter()
        batch = model.collect()
        if device == "cuda":
            torch.cuda.synchronize()
        collected = time.perf_counter()
        model.update(batch)
        if device == "cuda":
            torch.cuda.synchronize()
        if i > 0:  # the first update warms up kernels and allocators
            times["collect"].append(collected - start)
            times["update"].append(time.perf_counter() - collected)
    result = {key: statistics.median(values) for key, values in times.items()}
    result["total"] = result["collect"] + result["update"]
    return result


def markdown(report: dict[str, Any]) -> str:
    """The timing table, with the CPU as the reference."""
    rows = report["timings"]
    cpu_total = rows["cpu"]["total"]
    lines = [
        f"One HPO update, JRP n = 5, B = {report['batch']}, T = 100, hidden "
        f"{report['hidden']}; medians of {report['updates']} updates after one warm-up update.",
        "",
        "| device | collect | update | total | speed-up vs CPU |",
        "|---|---:|---:|---:|---:|",
    ]
    for device, r in rows.items():
        lines.append(
            f"| {device} | {r['collect']:.3f} s | {r['update']:.3f} s | {r['total']:.3f} s | "
            f"{cpu_total / r['total']:.1f}× |"
        )
    tests = report.get("cuda_tests")
    if tests is not None:
        lines += ["", f"CUDA tests (`pytest -m cuda tests/cuda`): exit status {tests}."]
    return "\n".join([*lines, "", *environment_lines(report["environment"]), ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("gpu_check"), help="output folder")
    parser.add_argument("--updates", type=int, default=3, help="measured updates per device")
    parser.add_argument("--quick", action="store_true", help="[64, 64], CPU only, no tests")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    devices = ["cpu"] if args.quick or not torch.cuda.is_available() else ["cuda", "cpu"]
    hidden, batch = ((64, 64), 16) if args.quick else ((512, 512), 128)
    report: dict[str, Any] = {"hidden": list(hidden), "batch": batch, "updates": args.updates}
    status = 0
    if not args.quick:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "cuda"]
        status = subprocess.run([*command, str(ROOT / "tests" / "cuda")], check=False).returncode
        report["cuda_tests"] = status
    report["environment"] = environment(devices[0])
    if torch.cuda.is_available():
        report["environment"]["gpu"] = torch.cuda.get_device_name(0)
    report["timings"] = {d: time_hpo_updates(d, hidden, args.updates, batch) for d in devices}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu_check.json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    (args.out / "gpu_check.md").write_text(table)
    print(table)
    return status


if __name__ == "__main__":
    sys.exit(main())

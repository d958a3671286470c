"""The matrix-multiply floor of a computation: its FLOPs and the machine's own ``torch.mm`` rate.

FLOPs are counted by torch's :class:`~torch.utils.flop_counter.FlopCounterMode` over the real
code (forward and backward matrix products: ``mm``, ``addmm``, ``bmm``, ...; elementwise work is
not counted), and the rate is timed on ``torch.mm`` in the same process and thread count, so
``FLOPs / rate`` is how long the computation would take if it were nothing but well-shaped
matrix products — a floor its measured time is compared with.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

import torch
from torch.utils.flop_counter import FlopCounterMode

T = TypeVar("T")


def counted_flops(fn: Callable[[], T]) -> tuple[float, T]:
    """Run ``fn`` once under a FLOP counter: ``(FLOPs of its matrix products, fn())``."""
    with FlopCounterMode(display=False) as counter:
        out = fn()
    return float(counter.get_total_flops()), out


def cpu_timed(fn: Callable[[], T]) -> tuple[float, T]:
    """``(seconds of this process's CPU time, fn())``: what a computation costs, not counting
    the time a shared machine makes it wait for a core."""
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def mm_rate(rows: int, width: int, device: str = "cpu", repeats: int = 3) -> float:
    """FLOP/s of ``torch.mm`` of ``[rows, width] @ [width, width]`` in CPU time, the median of
    ``repeats`` products after one warm-up (at the current ``torch.get_num_threads()``)."""
    a = torch.randn(rows, width, device=device)
    b = torch.randn(width, width, device=device)

    def product() -> None:
        torch.mm(a, b)
        if a.device.type == "cuda":
            torch.cuda.synchronize()

    product()
    seconds = statistics.median(cpu_timed(product)[0] for _ in range(repeats))
    return 2.0 * rows * width * width / max(seconds, 1e-9)

"""Timing helpers shared by the speed suites."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import torch


class Stopwatch:
    """Accumulates the wall time spent in chosen methods of one object.

    Wraps each method of ``owner`` named in ``methods`` (method name → label), so the split of
    a ``learn`` call between, say, rollout collection and gradient updates can be read off
    :attr:`totals` without touching the library being timed.
    """

    def __init__(self, owner: Any, methods: dict[str, str]) -> None:
        self.totals = dict.fromkeys(methods.values(), 0.0)
        for method, label in methods.items():
            setattr(owner, method, self._wrap(getattr(owner, method), label))

    def _wrap(self, fn: Callable[..., Any], label: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.totals[label] += time.perf_counter() - start

        return timed

    def reset(self) -> None:
        """Zero every total (after a warm-up)."""
        self.totals = dict.fromkeys(self.totals, 0.0)


def seconds_since(start: float, device: str | torch.device) -> float:
    """Wall seconds since ``start`` (a ``time.perf_counter()`` reading), after waiting for the
    queued CUDA work of ``device``, so GPU timings count the work and not just its launch."""
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start

"""Which methods apply to which environment cases, and why not where they do not.

A method is **n/a** on a case for one of two reasons, both shown in the results table:
the paper does not compare it on that kind of action space (discrete baselines on the hybrid
cases, hybrid ones on the discrete cases), or the algorithm refuses the environment when built
(LAR's embedding table for the job shop's 101^10 actions, HyAR's for 1,639^k item tuples).
"""

from __future__ import annotations

from typing import Any

from hybrid_toolkit.bench.dgrl_paper.cache import build
from hybrid_toolkit.bench.dgrl_paper.grid import EnvCase, Method

OFF_SCOPE: dict[str, str] = {
    "hybrid": "discrete-action baselines, not compared on hybrid spaces (their hybrid "
    "versions are H-DNC, H-Cacla and HyAR)",
    "discrete": "hybrid-action baselines, compared on the hybrid cases only (their discrete "
    "versions are DNC, Cacla and LAR)",
}
"""Why a method is not compared on a kind of space (keyed by the case's kind)."""


def first_sentence(message: str) -> str:
    """The first sentence or clause of an error message, for a table cell."""
    for stop in (". ", "; "):
        head, sep, _ = message.partition(stop)
        if sep:
            message = head
    return message.strip().rstrip(".")


def not_applicable(
    method: Method, case: EnvCase, proto: dict[str, Any], device: str = "cpu"
) -> str | None:
    """Why ``method`` does not run on ``case`` under ``proto``, or ``None`` when it does.

    Building the model (cheap: no training) asks the algorithm itself, so the reason is the
    algorithm's own error message.
    """
    if case.kind not in method.spaces:
        return OFF_SCOPE[case.kind]
    try:
        build(method, case, 0, proto, device)
    except ValueError as refused:
        return f"refused: {first_sentence(str(refused))}"
    return None

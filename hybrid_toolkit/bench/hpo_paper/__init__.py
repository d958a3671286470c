"""The HPO paper reproduction, `hybrid-toolkit bench hpo-paper`, and its scaling diagnosis,
`hybrid-toolkit bench hpo-scaling-diagnosis` (importing registers both)."""

from hybrid_toolkit.bench.hpo_paper import scaling  # noqa: F401  (registration side effect)
from hybrid_toolkit.bench.hpo_paper.suite import HPOPaperOptions, plan, run

__all__ = ["HPOPaperOptions", "plan", "run"]

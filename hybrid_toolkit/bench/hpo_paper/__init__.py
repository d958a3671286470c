"""The HPO paper reproduction, `hybrid-toolkit bench hpo-paper` (importing registers it)."""

from hybrid_toolkit.bench.hpo_paper.suite import HPOPaperOptions, plan, run

__all__ = ["HPOPaperOptions", "plan", "run"]

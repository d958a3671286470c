"""``hybrid-toolkit bench dgrl-paper``: the DGRL paper's comparisons (App. E.3) reproduced.

Importing this package registers the suite. Modules: :mod:`.grid` (methods, environments,
budgets, loops), :mod:`.paper_results` (the paper's numbers), :mod:`.scope` (which methods
apply where), :mod:`.cache` (one run and its per-run cache), :mod:`.aggregate` (statistics over
seeds), :mod:`.report` (tables and plots), :mod:`.suite` (options and entry).
"""

from hybrid_toolkit.bench.dgrl_paper.suite import DGRLPaperOptions, run

__all__ = ["DGRLPaperOptions", "run"]

#!/usr/bin/env bash
# The budgeted grid behind the committed results (docs/benchmarks/hpo-paper.md): one seed,
# [128, 128] networks, 400 JRP / 800 LQR updates, JRP n ∈ {1, 5, 20}, LQR n ∈ {3, 5, 10} × M = 2,
# and the cross-term study. Runs are cached under benchmarks/hpo_paper/results/runs/, so the
# command resumes after an interruption and re-aggregates instantly once everything ran.
set -euo pipefail
cd "$(dirname "$0")/../.."
HT="${HT:-.venv/bin/hybrid-toolkit}"
$HT bench hpo-paper --mode full --seeds 1 --hidden 128 128 \
  --jrp-items 1 5 20 --jrp-updates 400 \
  --lqr-states 3 5 10 --lqr-modes 2 --lqr-updates 800 \
  --cross-term-updates 320 --cross-term-response-updates 64 --cross-term-measure-every 4 \
  --cross-term-samples 256 --cross-term-repeats 4 \
  --out-dir benchmarks/hpo_paper/results --docs-dir docs/benchmarks/hpo-paper "$@"

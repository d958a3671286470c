#!/usr/bin/env bash
# The headline grid of `bench dgrl-paper` (issue 15; results on docs/benchmarks/dgrl-paper.md):
# the paper's training loop, seeds 0-4, every case but job-shop-interior, every method that runs
# on it. Spent in the order that answers the open questions first: the priced recommenders
# (Fig. 4), HyAR on the hybrid maze, then the discrete cases. Two Ray Tune trials at a time, one
# torch thread each; every run is cached under benchmarks/results/dgrl-paper/cache/, so the
# command resumes where it stopped, and the last call rewrites the page's results block from
# the cache (trains nothing).
# Cost: about 3 CPU-hours for the five seeds (the page's cost section), 1.5 h of wall time on an
# otherwise idle 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
HT="${HT:-.venv/bin/hybrid-toolkit}"
OUT=benchmarks/results/dgrl-paper
for envs in "recommender-hybrid recommender-hybrid-large" "maze-hybrid" \
  "recommender recommender-large" "maze maze-irregular" "job-shop"; do
  # shellcheck disable=SC2086  # one word per case
  $HT bench dgrl-paper --mode full --runner ray --max-concurrent 2 --envs $envs \
    --out-dir "$OUT" "$@"
done
$HT bench dgrl-paper --mode full --cache-only --out-dir "$OUT" \
  --docs-page docs/benchmarks/dgrl-paper.md "$@"

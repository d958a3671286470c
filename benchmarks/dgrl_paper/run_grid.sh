#!/usr/bin/env bash
# The headline grid of `bench dgrl-paper` (issue 15; results on docs/benchmarks/dgrl-paper.md):
# the paper's training loop, seeds 0-4, every case but job-shop-interior, every method that runs
# on it. Cheapest first, so a session that stops early has whole rows: the priced recommenders
# (Fig. 4), the discrete cases, LAR on the mazes, and last HyAR on the hybrid maze. Two Ray Tune
# trials at a time, one torch thread each; every run is cached under
# benchmarks/results/dgrl-paper/cache/, so the command resumes where it stopped, and the last
# call rewrites the page's results block from the cache (trains nothing).
# Cost (measured 6 December, the page's cost section): about 1.6 CPU-hours for five seeds of
# everything but LAR and HyAR, under an hour of wall time; LAR about 1 CPU-hour (10 runs); HyAR
# 19-25 CPU-minutes a run, 1.9 CPU-hours for its five.
set -euo pipefail
cd "$(dirname "$0")/../.."
HT="${HT:-.venv/bin/hybrid-toolkit}"
OUT=benchmarks/results/dgrl-paper
CHEAP=(dgrl dnc dnc-greedy cacla h-dnc h-cacla)
for envs in "recommender-hybrid recommender-hybrid-large" "recommender recommender-large" \
  "job-shop" "maze maze-irregular maze-hybrid"; do
  # shellcheck disable=SC2086  # one word per case
  $HT bench dgrl-paper --mode full --runner ray --max-concurrent 2 --envs $envs \
    --methods "${CHEAP[@]}" --out-dir "$OUT" "$@"
done
$HT bench dgrl-paper --mode full --runner ray --max-concurrent 2 --envs maze maze-irregular \
  --methods lar --out-dir "$OUT" "$@"
$HT bench dgrl-paper --mode full --runner ray --max-concurrent 2 --envs maze-hybrid \
  --methods hyar --out-dir "$OUT" "$@"
$HT bench dgrl-paper --mode full --cache-only --out-dir "$OUT" \
  --docs-page docs/benchmarks/dgrl-paper.md "$@"

#!/usr/bin/env bash
# The seeded joint-replenishment grid of issue 12 (results in benchmarks/hpo_paper/grid/ and on
# docs/benchmarks/hpo-paper.md): HPO with the paper's inputs and with the declared inputs, this
# library's PPO and the paper's PPO; 3 seeds, [256, 256] networks, 400 updates, n = 5, 20, 1, 50
# in that order (the order the runs were spent in). Two Ray Tune trials at a time, one torch
# thread each. Every run is cached under grid/runs/, so the command resumes where it stopped.
# Cost: 4.5-6 CPU-minutes per run at n ≤ 20 on an idle machine (12 runs per n, about 30 min per
# n at two trials at a time); 15 min per run when other jobs share the two cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
HT="${HT:-.venv/bin/hybrid-toolkit}"
OUT=benchmarks/hpo_paper/grid
for n in 5 20 1 50; do
  $HT bench hpo-paper --mode full --runner ray --max-concurrent 2 --parts jrp \
    --algos hpo hpo_declared ppo ppo_paper --seeds 3 --hidden 256 256 \
    --jrp-items "$n" --jrp-updates 400 --out-dir "$OUT" "$@"
done
# One table and plot over every run cached so far (trains nothing; a partly run grid shows
# what it has and lists what is missing).
$HT bench hpo-paper --mode full --only-cached --parts jrp \
  --algos hpo hpo_declared ppo ppo_paper --seeds 3 --hidden 256 256 \
  --jrp-items 1 5 20 50 --jrp-updates 400 --out-dir "$OUT" --docs-dir docs/benchmarks/hpo-paper/grid "$@"

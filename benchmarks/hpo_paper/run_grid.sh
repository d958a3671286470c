#!/usr/bin/env bash
# The seeded grid of issue 12 (results in benchmarks/hpo_paper/grid/ and on
# docs/benchmarks/hpo-paper.md): HPO with the paper's inputs and with the declared inputs, this
# library's PPO and the paper's PPO; 3 seeds, [256, 256] networks. Joint replenishment
# n = 5, 20, 1, 50 (in the order the runs were spent in), 400 updates; then switched LQR
# n = 3, 5, 10 × M = 2, 4 (M ≤ n: five tasks), 800 updates (its horizon is 20 periods, so an
# update costs a fifth of a JRP one, and at 400 the PPOs are still far from the reference).
# Two Ray Tune trials at a time, one torch thread each. Every run is cached under grid/runs/,
# so the command resumes where it stopped.
# Cost: JRP 4.5-7 CPU-minutes per run at n ≤ 20 on an idle machine (12 runs per n, about 30-45
# min per n at two trials at a time); LQR about 3-5 CPU-minutes per run (60 runs).
set -euo pipefail
cd "$(dirname "$0")/../.."
HT="${HT:-.venv/bin/hybrid-toolkit}"
OUT=benchmarks/hpo_paper/grid
ALGOS=(--algos hpo hpo_declared ppo ppo_paper --seeds 3 --hidden 256 256)
LQR=(--lqr-states 3 5 10 --lqr-modes 2 4 --lqr-updates 800)
for n in 5 20 1 50; do
  $HT bench hpo-paper --mode full --runner ray --max-concurrent 2 --parts jrp "${ALGOS[@]}" \
    --jrp-items "$n" --jrp-updates 400 --out-dir "$OUT" "$@"
done
$HT bench hpo-paper --mode full --runner ray --max-concurrent 2 --parts lqr "${ALGOS[@]}" \
  "${LQR[@]}" --out-dir "$OUT" "$@"
# One table and plot over every run cached so far (trains nothing; a partly run grid shows
# what it has and lists what is missing).
$HT bench hpo-paper --mode full --only-cached --parts jrp lqr "${ALGOS[@]}" \
  --jrp-items 1 5 20 50 --jrp-updates 400 "${LQR[@]}" \
  --out-dir "$OUT" --docs-dir docs/benchmarks/hpo-paper/grid "$@"

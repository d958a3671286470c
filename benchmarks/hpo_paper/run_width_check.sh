#!/usr/bin/env bash
# The [512, 512] check of issue 12's seeded grid (results in benchmarks/hpo_paper/grid512/ and on
# docs/benchmarks/hpo-paper.md): the grid's protocol (400 updates, B = 128, 3 seeds) at the
# paper's width, which is also HPO's default. First HPO with its default (declared) inputs at
# n = 5 and 20 — the "within 2 % of (s, S) with default settings" check — then the other three
# methods at n = 20, where the [256, 256] ranking of HPO with the paper's inputs against the PPOs
# is the one a width could change. Two Ray Tune trials at a time, one torch thread each; every
# run is cached under grid512/runs/, so the command resumes where it stopped.
# Cost: about 10 (HPO) to 14 (PPO) CPU-minutes per run on an idle machine; 15 runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
HT="${HT:-.venv/bin/hybrid-toolkit}"
OUT=benchmarks/hpo_paper/grid512
COMMON=(--mode full --parts jrp --seeds 3 --hidden 512 512 --jrp-updates 400 --out-dir "$OUT")
$HT bench hpo-paper "${COMMON[@]}" --runner ray --max-concurrent 2 \
  --algos hpo_declared --jrp-items 5 20 "$@"
$HT bench hpo-paper "${COMMON[@]}" --runner ray --max-concurrent 2 \
  --algos hpo ppo_paper ppo --jrp-items 20 "$@"
# One table and plot over every run cached so far (trains nothing).
$HT bench hpo-paper "${COMMON[@]}" --only-cached \
  --algos hpo hpo_declared ppo ppo_paper --jrp-items 5 20 \
  --docs-dir docs/benchmarks/hpo-paper/grid512 "$@"

#!/usr/bin/env bash
# Single changes to the reference recipe, measured at its full budget (`bench classic-envs
# --variant NAME --override KEY=VALUE`; results on docs/benchmarks/classic-envs.md). Each
# variant is cached apart, under benchmarks/results/classic_envs/reference-<variant>/, and
# resumes where it stopped; its tables and curves are written beside the cache.
# - episode-updates, box: HyAR on Goal with one extra TD3 update per finished episode (the
#   official scripts' loop) and with observations halved (the scaling before the fix), seeds
#   0-4, ~0.9 CPU-hours each (seeds 0-1 are cached).
# - tau-0.005: DGRL on Hard Move n = 4 with the target networks' Polyak rate 0.005 (the only
#   `hard-move` preset change that gained in the short probes), seeds 0-2, ~0.6 CPU-hours each.
# Two Ray Tune trials at a time, one torch thread each.
set -euo pipefail
cd "$(dirname "$0")/../.."
HT="${HT:-.venv/bin/hybrid-toolkit}"
COMMON=(--recipe reference --mode full --out-dir benchmarks/results --runner ray --max-concurrent 2)
$HT bench classic-envs "${COMMON[@]}" --algos hyar --cases Goal --seeds 0 1 2 3 4 \
  --variant episode-updates --override episode_updates=1 "$@"
$HT bench classic-envs "${COMMON[@]}" --algos hyar --cases Goal --seeds 0 1 2 3 4 \
  --variant box --override observation_bounds=box "$@"
$HT bench classic-envs "${COMMON[@]}" --algos dgrl --cases HardMove4 --seeds 0 1 2 \
  --variant tau-0.005 --override tau=0.005 "$@"

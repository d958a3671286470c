#!/usr/bin/env bash
# HyAR's Table 2 at the official scripts' recipe (`bench classic-envs --recipe reference`,
# issue 15; results on docs/benchmarks/classic-envs.md): HyAR on every case, seeds 0-2, then
# PPO and DGRL at the same environment-step budgets. Cheapest cases first, so a partly run
# sweep has whole rows. Two Ray Tune trials at a time, one torch thread each; every run is
# cached under benchmarks/results/classic_envs/reference/ and resumes where it stopped; the
# last call rewrites the tables and curves from the cache (trains nothing).
# Cost (the page's cost table, CPU-hours per seed): HyAR Platform 0.37 (measured on an idle
# core; 0.6 under load), Goal 0.9 (measured), Hard Goal 1.0, each Hard Move case 2.3-2.5
# (~12 per seed, ~36 for three); PPO and DGRL together at most ~11 per seed. A job for a
# many-core machine or a Ray cluster (--address); cached runs are skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
HT="${HT:-.venv/bin/hybrid-toolkit}"
COMMON=(--recipe reference --mode full --out-dir benchmarks/results --seeds 0 1 2)
for cases in "Platform" "Goal HardGoal" "HardMove4 HardMove6 HardMove8 HardMove10"; do
  # shellcheck disable=SC2086  # one word per case
  $HT bench classic-envs "${COMMON[@]}" --runner ray --max-concurrent 2 --algos hyar \
    --cases $cases "$@"
done
$HT bench classic-envs "${COMMON[@]}" --runner ray --max-concurrent 2 --algos ppo dgrl "$@"
$HT bench classic-envs "${COMMON[@]}" --report-only --docs-dir docs/benchmarks "$@"

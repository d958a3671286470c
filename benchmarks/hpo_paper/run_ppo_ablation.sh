#!/usr/bin/env bash
# Which difference makes the paper's PPO slow? The one-difference ablation of ppo_paper on
# joint replenishment n = 20 (results on docs/benchmarks/hpo-paper.md, tables and plots in
# docs/benchmarks/hpo-paper/ppo-ablation/): this library's PPO, the paper's PPO, and the
# paper's PPO with each of the nine fields of PAPER_SWITCHES set back to this library's value
# in turn (--algos ppo_paper-FIELD); 3 seeds, [256, 256] networks, 400 updates, the seeded
# grid's settings, so the grid's cached runs under grid/runs/ are reused and only the
# ablations train (the two HPOs are listed, though cached, so that "the best known cost" the
# updates are counted against is the grid's own). Two Ray Tune trials at a time, one torch
# thread each; every run is cached, so the command resumes where it stopped.
# Cost: about 6-7 CPU-minutes per run on an idle machine, 30 new runs (about 3.3 CPU-hours,
# 1.7 h at two trials at a time).
set -euo pipefail
cd "$(dirname "$0")/../.."
HT="${HT:-.venv/bin/hybrid-toolkit}"
OUT=benchmarks/hpo_paper/grid
FIELDS=(network_layout continuous_log_prob reward_scaling buffer_periods epoch_schedule
  kl_stop_factor grad_clipping train_split rollout_graph reward_scaling+buffer_periods)
$HT bench hpo-paper --mode full --runner ray --max-concurrent 2 --parts jrp \
  --algos hpo hpo_declared ppo ppo_paper "${FIELDS[@]/#/ppo_paper-}" --seeds 3 --hidden 256 256 \
  --jrp-items 20 --jrp-updates 400 --out-dir "$OUT" \
  --docs-dir docs/benchmarks/hpo-paper/ppo-ablation "$@"
# The call above wrote its own results.md and plots into grid/: aggregate the grid's cached
# runs again (trains nothing) so grid/ and docs/benchmarks/hpo-paper/grid/ show the grid.
bash benchmarks/hpo_paper/run_grid.sh --only-cached "$@"

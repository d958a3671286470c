#!/usr/bin/env bash
# Install hybrid_toolkit and run the main job end to end: HPO vs PPO vs the tuned (s, S)
# reference policy on a joint-replenishment instance with 5 items, both algorithms at the same
# width ([256, 256]) with the network inputs that suit each (HPO: the env's declared features;
# PPO: the raw observation), 160 updates per run: ~3.6 min on 2 CPU cores after the install.
# Prints a results table and writes the plots and JSON results under runs/hpo-demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/hybrid-toolkit bench hpo-paper --mode quick --parts jrp --jrp-items 5 --jrp-updates 160 \
  --hidden 256 256 --algos hpo_declared ppo \
  --out-dir runs/hpo-demo "$@"

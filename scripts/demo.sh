#!/usr/bin/env bash
# Install hybrid_toolkit and run the main job end to end: HPO vs PPO vs the tuned (s, S)
# reference policy on a small joint-replenishment instance (3 items), 160 updates per run:
# ~1.5 min on 2 CPU cores after the install.
# Prints a results table and writes the plots and JSON results under runs/hpo-demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/hybrid-toolkit bench hpo-paper --mode quick --parts jrp --jrp-items 3 --jrp-updates 160 \
  --out-dir runs/hpo-demo "$@"

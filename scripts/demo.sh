#!/usr/bin/env bash
# Install hybrid_toolkit and run the main job end to end on the embedded default environment:
# train hybrid PPO on TargetRegime-v0, evaluate it and write logs + the model under runs/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/hybrid-toolkit train ppo TargetRegime-v0 --run.total-timesteps 40000 \
  --algo.gamma 0.5 --algo.learning-rate 0.001 "$@"

#!/usr/bin/env bash
# Create .venv and install hybrid_toolkit into it. Usage: scripts/install.sh [dev]
# "dev" installs the dev tools and the `tune` extra (Ray Tune + Optuna), which the tests use.
# torch is pinned to 2.13.0 first (a local CPU build on our machines) and kept there by a
# constraint, so no other dependency can pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
echo "torch==2.13.0" > .venv/constraints.txt
.venv/bin/python -m pip install -q -c .venv/constraints.txt "torch==2.13.0"
if [ "$extra" = "dev" ]; then
  .venv/bin/python -m pip install -q -c .venv/constraints.txt -e ".[dev,tune]"
else
  .venv/bin/python -m pip install -q -c .venv/constraints.txt -e .
fi

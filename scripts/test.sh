#!/usr/bin/env bash
# Install (with dev tools) and run every check CI runs: lint, format, types, docs, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh dev
echo "== ruff";   .venv/bin/ruff check .
echo "== format"; .venv/bin/ruff format --check .
echo "== mypy";   .venv/bin/mypy
echo "== docs";   .venv/bin/mkdocs build --strict --quiet --site-dir site
echo "== pytest"; .venv/bin/pytest -q -p no:cacheprovider "$@"

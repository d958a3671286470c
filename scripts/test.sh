#!/usr/bin/env bash
# Install (with dev tools) and run every check CI runs: lint, format, types, docs, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh dev
echo "== ruff";   .venv/bin/ruff check .
echo "== format"; .venv/bin/ruff format --check .
echo "== mypy";   .venv/bin/mypy
# No --quiet: it drops warnings before --strict counts them, so broken links would pass.
echo "== docs";   NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --site-dir site
echo "== pytest"; .venv/bin/pytest -q -p no:cacheprovider "$@"

#!/usr/bin/env bash
# The whole test suite: installs what it needs, then lint, pytest and the Node test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=${PYTHON:-python3}
echo "==> ruff"
"$PY" -m ruff check .
echo "==> pytest"
"$PY" -m pytest -q -p no:cacheprovider "$@"
echo "==> node --test"
node --test tests/node/

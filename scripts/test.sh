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
echo "==> js_runtime: npm ci, tsc --noEmit"
(cd js_runtime && npm ci --no-audit --no-fund && npx tsc --noEmit)
echo "==> node --test"
node --test tests/node/

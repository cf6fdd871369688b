#!/usr/bin/env bash
# The whole test suite: installs what it needs, then lint, pytest and the Node test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=${PYTHON:-python3}
echo "==> ruff"
"$PY" -m ruff check .
echo "==> lint-imports (the Python layers, docs/architecture.md)"
bash scripts/lint_imports.sh
# npm ci comes before pytest: its tests build dist/ with esbuild and run WebGPU on Dawn (npm webgpu).
echo "==> js_runtime: npm ci, tsc --noEmit, prettier --check (all project JS)"
(cd js_runtime && npm ci --no-audit --no-fund && npx tsc --noEmit && npm run -s format:check)
echo "==> pytest"
"$PY" -m pytest -q -p no:cacheprovider "$@"
echo "==> node --test"
node --test tests/node/

#!/usr/bin/env bash
# Checks the import layers of the Python package (import-linter contracts in pyproject.toml).
# The package is two folders joined at install time (pyproject's package-dir: authoring/ is webgrad,
# exporter/ is webgrad.exporter); import-linter reads one folder per package, so it is shown a folder
# of links where exporter/ sits inside webgrad/, as it does once installed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VIEW=$(mktemp -d)
trap 'rm -rf "$VIEW"' EXIT
mkdir "$VIEW/webgrad"
for entry in "$ROOT"/authoring/*; do
  ln -s "$entry" "$VIEW/webgrad/$(basename "$entry")"
done
ln -s "$ROOT/exporter" "$VIEW/webgrad/exporter"
cd "$VIEW"
# import-linter's own command (lint-imports), run by the same Python as the rest of the checks
PYTHONPATH="$VIEW${PYTHONPATH:+:$PYTHONPATH}" "${PYTHON:-python3}" -c \
  'from importlinter.cli import lint_imports_command; lint_imports_command()' "$ROOT/pyproject.toml" --no-cache "$@"

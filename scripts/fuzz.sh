#!/usr/bin/env bash
# Long fuzz runs of both bundle readers (the test suite runs a bounded number of cases of each):
#   bash scripts/fuzz.sh [--minutes N] [--seed S]
# The Python reader (Hypothesis-driven mutations) and the JS loader (seeded mutation fuzzer) run side by
# side for N minutes each (default 10). Each prints cases, findings and peak memory; exit 1 on a finding.
# A finding is an input that gave anything but a valid load or a typed error (BundleError/WebgradError):
# keep it as a case in tests/bundle_cases/ once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=10
seed=$(date +%s)
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
PY=${PYTHON:-python3}
echo "==> fuzzing both readers for $minutes min each (seed $seed)"
"$PY" tests/fuzz/py_reader.py --minutes "$minutes" --seed "$seed" > /tmp/webgrad-fuzz-py.log 2>&1 &
py_pid=$!
node tests/fuzz/js_loader.mjs --minutes "$minutes" --seed "$seed" > /tmp/webgrad-fuzz-js.log 2>&1 &
js_pid=$!
status=0
wait "$py_pid" || status=1
wait "$js_pid" || status=1
echo "--- Python reader"; cat /tmp/webgrad-fuzz-py.log
echo "--- JS loader"; cat /tmp/webgrad-fuzz-js.log
exit "$status"

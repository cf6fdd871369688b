#!/usr/bin/env bash
# Installs the pinned peers, makes the models (cached; float32, int8 and float16 bundles) and runs the
# threads and quantized-execution benchmark (benchmarks/threads_quant.mjs; figures in benchmarks/README.md).
#   bash benchmarks/run_threads_quant.sh [threads_quant.mjs options...]   e.g. --entry src --rounds 2
# Models go to $WEBGRAD_BENCH_MODELS (default: the user cache dir, webgrad/bench-models).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
py="${PYTHON:-python3}"
models="${WEBGRAD_BENCH_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/webgrad/bench-models}"

(cd "$here/peers" && npm ci --no-audit --no-fund --loglevel=error)
"$py" -c "import onnx" 2>/dev/null || { echo "needs onnx: pip install -e \".[bench]\" (or pip install onnx)" >&2; exit 2; }
# (re)make the models unless every one, with its int8 and float16 bundles, is there
if ! "$py" - "$models/models.json" <<'PY'
import json, sys
try:
    index = json.load(open(sys.argv[1]))["models"]
except (OSError, ValueError, KeyError):
    sys.exit(1)
want = ["mlp", "cnn", "mobilenet", "matmul1024"]
sys.exit(0 if all(m in index for m in want) and all(
    {"int8", "float16"} <= set(index[m].get("quantized", [])) for m in want[:3]) else 1)
PY
then
  "$py" "$here/make_peer_models.py" "$models"
fi
cd "$root" && node "$here/threads_quant.mjs" --models-dir "$models" "$@"

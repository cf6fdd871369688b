#!/usr/bin/env bash
# Installs the pinned peers, makes the models (cached) and runs the inference benchmark.
#   bash benchmarks/run_infer_speed.sh [--relaxed | --both] [infer_speed.mjs options...]
# --relaxed: run under `node --experimental-wasm-relaxed-simd`; --both: plain SIMD128 then relaxed.
# Models go to $WEBGRAD_BENCH_MODELS (default: the user cache dir, webgrad/bench-models).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
modes=(plain)
case "${1:-}" in
  --relaxed) modes=(relaxed); shift ;;
  --both) modes=(plain relaxed); shift ;;
esac
py="${PYTHON:-python3}"
models="${WEBGRAD_BENCH_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/webgrad/bench-models}"

(cd "$here/peers" && npm ci --no-audit --no-fund --loglevel=error)
"$py" -c "import onnx" 2>/dev/null || { echo "needs onnx: pip install -e \".[bench]\" (or pip install onnx)" >&2; exit 2; }
"$py" "$here/make_peer_models.py" "$models"

for mode in "${modes[@]}"; do
  flags=()
  [ "$mode" = relaxed ] && flags=(--experimental-wasm-relaxed-simd)
  echo "=== node ${flags[*]:-(no flags)}"
  (cd "$root" && node "${flags[@]}" "$here/infer_speed.mjs" --models-dir "$models" --python "$py" "$@")
done

#!/usr/bin/env bash
# Installs the pinned peers and runs the training-step benchmark (inputs made once, cached).
#   bash benchmarks/run_train_step.sh [--relaxed | --both] [train_step.mjs options...]
# --relaxed: run under `node --experimental-wasm-relaxed-simd`; --both: plain SIMD128 then relaxed
# (each writes its own results file: train_step.json, train_step.relaxed.json).
# Inputs go to $WEBGRAD_TRAIN_STEP_DIR (default: the user cache dir, webgrad/train-step).
# PyTorch: pip install torch==2.13.0 (without it, its rows say so and the rest still runs).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
modes=(plain)
case "${1:-}" in
  --relaxed) modes=(relaxed); shift ;;
  --both) modes=(plain relaxed); shift ;;
esac
py="${PYTHON:-python3}"
dir="${WEBGRAD_TRAIN_STEP_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/webgrad/train-step}"

(cd "$here/peers" && npm ci --no-audit --no-fund --loglevel=error)
[ -f "$dir/train_bundles.json" ] || "$py" "$here/make_train_bundles.py" "$dir"

for mode in "${modes[@]}"; do
  flags=()
  out="$here/results/train_step.json"
  if [ "$mode" = relaxed ]; then flags=(--experimental-wasm-relaxed-simd); out="$here/results/train_step.relaxed.json"; fi
  echo "=== node ${flags[*]:-(no flags)}"
  (cd "$root" && node "${flags[@]}" "$here/train_step.mjs" --dir "$dir" --python "$py" --output "$out" "$@")
done

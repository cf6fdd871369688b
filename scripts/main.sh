#!/usr/bin/env bash
# The main job: installs what it needs, trains the MNIST CNN, evaluates it, prints the test accuracy
# and exports it as float32, float16 and int8 web bundles under build/bundles/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p build
${PYTHON:-python3} -m webgrad.cli train cnn ${EPOCHS:+--epochs "$EPOCHS"} --json build/mnist_cnn_result.json --export build/bundles "$@"

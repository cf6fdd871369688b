#!/usr/bin/env bash
# The main job: installs what it needs, trains the MNIST CNN (with a progress bar) if its bundles are not
# there yet, prints the test accuracy, exports it as float32, float16 and int8 web bundles under
# build/bundles/ (and as a trainable float32 bundle, mnist_cnn-trainable, which the page's "Teach it your
# handwriting" panel fine-tunes), trains and exports the Rotten Tomatoes sentiment model for the "Text" panel
# into build/bundles/text/, then serves the live demo (with the "Federated" panel's server under /fl/, over
# mnist_cnn-trainable) at a printed http://127.0.0.1:PORT/ until Ctrl-C.
#
#   EPOCHS=3 bash scripts/main.sh          # train again with 3 epochs (any EPOCHS or extra args retrain)
#   bash scripts/main.sh --limit 20000     # extra args go to `webgrad train cnn`
#   RETRAIN=1 bash scripts/main.sh         # train again with the defaults
#   SERVE=0 bash scripts/main.sh           # train/export only, do not serve
#   PORT=8080 HOST=0.0.0.0 bash scripts/main.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=${PYTHON:-python3}
BUNDLES=build/bundles
mkdir -p build

if [ -n "${RETRAIN:-}" ] || [ -n "${EPOCHS:-}" ] || [ $# -gt 0 ] ||
   [ ! -f "$BUNDLES/mnist_cnn-float32/model.json" ] || [ ! -f "$BUNDLES/mnist_cnn-int8/model.json" ]; then
  echo "==> training the MNIST CNN and exporting it to $BUNDLES/"
  "$PY" -m webgrad.cli train cnn ${EPOCHS:+--epochs "$EPOCHS"} --json build/mnist_cnn_result.json \
    --export "$BUNDLES" "$@"
else
  echo "==> bundles already in $BUNDLES/ (RETRAIN=1, EPOCHS=N or extra arguments train again)"
  [ -f build/mnist_cnn_result.json ] && "$PY" -c 'import json, sys; r = json.load(open(sys.argv[1]))
print("    test accuracy {:.2%} after {} epochs".format(r["test_accuracy"], r["epochs"]))' build/mnist_cnn_result.json || true
fi

# The trainable bundle (formatVersion 2: float32 weights, loss, Adam and its state) is made from the float32
# bundle when missing or older than it: wg.load_model rebuilds the model from the bundle (a second, fast).
TRAINABLE="$BUNDLES/mnist_cnn-trainable"
if [ ! -f "$TRAINABLE/model.json" ] || [ "$BUNDLES/mnist_cnn-float32/model.json" -nt "$TRAINABLE/model.json" ]; then
  echo "==> exporting $TRAINABLE (trainable, for the page's teaching panel)"
  "$PY" - "$BUNDLES/mnist_cnn-float32" "$TRAINABLE" <<'PYTHON'
import sys

import webgrad as wg

source, target = sys.argv[1:]
model = wg.load_model(source)
meta = model.bundle_metadata
wg.export(model, target, trainable=True, loss="sparse_categorical_crossentropy",
          optimizer=wg.optimizers.Adam(1e-3), labels=meta.get("labels"), preprocessing=meta.get("preprocessing"),
          verbose=0)
PYTHON
fi

# The "Text" panel's model (issue 18): Rotten Tomatoes sentiment, trained by examples/text/sentiment.py
# (~2.5 min on one core) and exported with its tokenizer (int8) when missing; RETRAIN=1 trains it again.
TEXT_BUNDLE="$BUNDLES/text/rt_sentiment-int8"
if [ -n "${RETRAIN:-}" ] || [ ! -f "$TEXT_BUNDLE/model.json" ]; then
  echo "==> training the Rotten Tomatoes sentiment model and exporting it to $TEXT_BUNDLE"
  "$PY" examples/text/sentiment.py --export "$TEXT_BUNDLE"
else
  echo "==> text bundle already in $TEXT_BUNDLE"
fi

[ "${SERVE:-1}" = 0 ] && exit 0
echo "==> serving the live demo (Ctrl-C stops it)"
# exec: Ctrl-C reaches the server directly, which stops cleanly
exec "$PY" -m demo_app --bundles "$BUNDLES" --federated ${HOST:+--host "$HOST"} ${PORT:+--port "$PORT"}

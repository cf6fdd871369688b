// A bundle using the op set v2 ops (Pad, then Conv2DTranspose with fused bias and relu, under a small
// classifier head), written by Python's bundle writer: it declares opsetVersion 2, loads on js, wasm
// and webgpu (the load runs the self-test) and predicts what Python's bundle runner predicts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadModel } from '../../js_runtime/src/index.js';
import { nodeGpu } from './_webgpu.mjs';

const SCRIPT = `
import json, sys
import numpy as np
from webgrad.exporter.bundle_writer import write_bundle
from webgrad.exporter.graph import Graph, Node, TensorSpec
from webgrad.exporter.runner import load_bundle
rng = np.random.default_rng(0)
consts = {"up/kernel": rng.standard_normal((3, 3, 4, 2)).astype(np.float32),
          "up/bias": rng.standard_normal(4).astype(np.float32),
          "dense/kernel": rng.standard_normal((4, 3)).astype(np.float32)}
nodes = [Node("pad", "Pad", ["x"], ["p"], {"pads": [0, 0, 1, 1, 2, 0, 0, 0]}),
         Node("up", "Conv2DTranspose", ["p", "up/kernel", "up/bias"], ["u"],
              {"strides": [2, 2], "padding": "SAME", "activation": "relu"}),
         Node("gap", "GlobalAvgPool", ["u"], ["v"]), Node("dense", "MatMul", ["v", "dense/kernel"], ["z"]),
         Node("softmax", "Softmax", ["z"], ["y"])]
g = Graph([TensorSpec("x", "float32", (None, 5, 5, 2))], [TensorSpec("y", "float32", (None, 3))], nodes, consts)
write_bundle(g, sys.argv[1])
x = np.sin(np.arange(100)).astype(np.float32).reshape(2, 5, 5, 2)
print(json.dumps(np.asarray(load_bundle(sys.argv[1]).predict(x)).ravel().tolist()))
`;

const dir = mkdtempSync(join(tmpdir(), 'webgrad-v2-ops-'));
const bundle = join(dir, 'bundle');
const made = spawnSync(process.env.PYTHON || 'python3', ['-c', SCRIPT, bundle], { encoding: 'utf8' });
if (made.status !== 0) throw new Error(`writing the bundle failed: ${made.stderr}`);
const want = JSON.parse(made.stdout);
const x = { data: Float32Array.from({ length: 100 }, (_, i) => Math.fround(Math.sin(i))), shape: [2, 5, 5, 2] };
const { gpu, reason } = await nodeGpu();
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('a bundle with Pad and Conv2DTranspose declares opsetVersion 2', () => {
  assert.equal(JSON.parse(readFileSync(join(bundle, 'model.json'), 'utf8')).opsetVersion, 2);
});

for (const backend of ['js', 'wasm', 'webgpu']) {
  test(`${backend}: a bundle with Pad and Conv2DTranspose predicts what Python's runner does`, async (t) => {
    if (backend === 'webgpu' && !gpu) return t.skip(reason);
    const model = await loadModel(bundle, backend === 'webgpu' ? { backend, gpu } : { backend });
    try {
      const got = await (await model.predict(x)).data();
      assert.equal(got.length, want.length);
      got.forEach((v, i) =>
        assert.ok(Math.abs(v - want[i]) <= 1e-5 + 1e-4 * Math.abs(want[i]), `${i}: ${v} vs ${want[i]}`),
      );
    } finally {
      model.dispose();
    }
  });
}

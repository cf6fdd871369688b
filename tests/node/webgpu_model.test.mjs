// The webgpu backend through loadModel in Node (npm `webgpu`, Dawn, on SwiftShader): the end-to-end
// bundles against the Python runner's outputs; GPU residency (one submission per predict, read-back
// only on data(), pipelines and bind groups made once per plan, weights uploaded once); `auto` and
// its reasons; and every error path: no adapter, adapter request failing, device lost mid-run (the
// model moves to wasm and still answers right), over-limit bindings (EGPU_LIMIT naming the tensor,
// nothing left allocated) and dispatches folded under a lowered maxComputeWorkgroupsPerDimension.
//
//   node --test tests/node/webgpu_model.test.mjs

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureIndex, fixturesDir, maxAbsDiff, readF32 } from './_helpers.mjs';
import { EXCLUDED, nodeGpu, spyGpu } from './_webgpu.mjs';
import { liveResources, loadModel, tensor } from '../../js_runtime/src/index.js';

const ATOL = 1e-4;
const { gpu, reason } = await nodeGpu();
const noGpu = gpu ? false : `no WebGPU adapter: ${reason}`;
const NOTHING = { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 };
after(() => assert.deepEqual(liveResources(), NOTHING, 'every model disposed'));

/** The ops of a fixture bundle that have no webgpu program (listed in EXCLUDED), or ''. */
function excludedOps(bundle) {
  const m = JSON.parse(readFileSync(join(fixturesDir(), bundle, 'model.json'), 'utf8'));
  return [...new Set(m.graph.nodes.map((n) => n.op))].filter((op) => EXCLUDED[op]).join(', ');
}

/** The fixture case's input tensor and the Python runner's output. */
function fixture(name) {
  const c = fixtureIndex().cases.find((k) => k.name === name);
  const dir = fixturesDir();
  return { c, dir, x: tensor(readF32(join(dir, c.input)), c.inputShape), want: readF32(join(dir, c.output)) };
}

for (const c of fixtureIndex().cases) {
  const missing = excludedOps(c.bundle);
  const skip = noGpu || (missing ? `needs ${missing}: no webgpu program yet (EXCLUDED in _webgpu.mjs)` : false);
  test(`${c.name} on webgpu: Node matches the Python runner within ${ATOL}`, { skip }, async () => {
    const { dir, x, want } = fixture(c.name);
    const model = await loadModel(join(dir, c.bundle), { backend: 'webgpu', gpu });
    try {
      assert.equal(model.backend, 'webgpu');
      assert.ok(model.selftest.maxError <= ATOL, `self-test max error ${model.selftest.maxError}`);
      const y = await model.predict(x);
      assert.deepEqual(y.shape, c.outputShape);
      const diff = maxAbsDiff(await y.data(), want);
      assert.ok(diff <= ATOL, `max |webgpu - python| = ${diff}`);
    } finally {
      model.dispose();
    }
  });
}

test(
  'outputs stay on the GPU until data(); one submission per predict; nothing re-made per call',
  { skip: noGpu },
  async () => {
    const { dir, x, want } = fixture('mlp-float32');
    const spy = spyGpu(gpu);
    const model = await loadModel(join(dir, 'mlp-float32'), { backend: 'webgpu', gpu: spy.gpu });
    try {
      const first = await model.predict(x); // a new shape: its plan is compiled here
      await first.data();
      const before = { ...spy.counts };
      const y = await model.predict(x);
      assert.equal(spy.counts.submit - before.submit, 1, 'one submission per predict');
      assert.equal(spy.counts.mapAsync - before.mapAsync, 0, 'no read-back before data()');
      assert.equal(
        spy.counts.writeBuffer - before.writeBuffer,
        1,
        'only the input is written (weights and uniforms were uploaded once)',
      );
      for (const name of ['createComputePipeline', 'createBindGroup'])
        assert.equal(spy.counts[name], before[name], `${name}: made once per plan`);
      assert.equal(y.onDevice, true);
      assert.throws(
        () => y.dataSync(),
        (e) =>
          e.code === 'EBACKEND' &&
          /webgpu device memory: dataSync\(\) cannot read it synchronously; use await tensor\.data\(\)/.test(e.message),
      );
      const got = await y.data();
      assert.equal(spy.counts.mapAsync - before.mapAsync, 1, 'one read-back on data()');
      assert.ok(maxAbsDiff(got, want) <= ATOL);
      assert.equal(y.dataSync(), got, 'dataSync works once read back');
      const unread = await model.predict(x);
      unread.dispose(); // gives its staging buffer back unread
      assert.ok(model.memory().deviceBytes > model.memory().weightsBytes);
    } finally {
      model.dispose();
    }
  },
);

test('classify reads the GPU output back itself', { skip: noGpu }, async () => {
  const { dir, x } = fixture('mlp-float32');
  const model = await loadModel(join(dir, 'mlp-float32'), { backend: 'webgpu', gpu });
  const onWasm = await loadModel(join(dir, 'mlp-float32'), { backend: 'wasm' });
  try {
    const row = { data: x.dataSync().slice(0, 20), shape: [1, 20] };
    const got = await model.classify(row, { topK: 2, preprocess: false });
    const want = await onWasm.classify(row, { topK: 2, preprocess: false });
    assert.deepEqual(
      got.map((p) => p.index),
      want.map((p) => p.index),
    );
  } finally {
    model.dispose();
    onWasm.dispose();
  }
});

test("backend 'webgpu' with no adapter, a failing adapter request or no GPU at all is a clear EBACKEND", async () => {
  const before = liveResources();
  const cases = [
    [
      { requestAdapter: async () => null },
      /backend 'webgpu' is not available here: no WebGPU adapter: requestAdapter\(\) returned null/,
    ],
    [
      {
        requestAdapter: async () => {
          throw new Error('driver crashed');
        },
      },
      /the WebGPU adapter request failed: driver crashed/,
    ],
    [undefined, /navigator\.gpu is missing/],
    [{}, /not a GPU object/],
  ];
  for (const [fake, message] of cases) {
    await assert.rejects(
      loadModel(join(fixturesDir(), 'mlp-float32'), { backend: 'webgpu', gpu: fake }),
      (e) => e.code === 'EBACKEND' && message.test(e.message),
    );
  }
  assert.deepEqual(liveResources(), before);
});

test("'auto' falls back with the reason: no adapter, a failed request, a software adapter", async () => {
  const dir = join(fixturesDir(), 'mlp-float32');
  const cases = [
    [{ requestAdapter: async () => null }, /skipped webgpu: no WebGPU adapter/],
    [
      {
        requestAdapter: async () => {
          throw new Error('blocked');
        },
      },
      /skipped webgpu: the WebGPU adapter request failed: blocked/,
    ],
  ];
  if (gpu)
    cases.push([
      gpu,
      /skipped webgpu: software adapter \(google swiftshader .*wasm is faster; ask for backend 'webgpu'/,
    ]);
  for (const [fake, why] of cases) {
    const model = await loadModel(dir, { gpu: fake });
    try {
      assert.equal(model.backend, 'wasm');
      assert.match(model.backendReason, /^auto: picked 'wasm'/);
      assert.match(model.backendReason, why);
    } finally {
      model.dispose();
    }
  }
});

test("'auto' picks webgpu when the adapter is a hardware one", { skip: noGpu }, async () => {
  const { dir, x, want } = fixture('mlp-float32');
  const model = await loadModel(join(dir, 'mlp-float32'), { gpu: spyGpu(gpu, { fallback: false }).gpu });
  try {
    assert.equal(model.backend, 'webgpu');
    assert.match(model.backendReason, /^auto: picked 'webgpu': .*adapter presented as hardware by the test/);
    assert.ok(maxAbsDiff(await (await model.predict(x)).data(), want) <= ATOL);
  } finally {
    model.dispose();
  }
});

test(
  'device lost mid-run: reported, the output in flight is recomputed on wasm, the next call runs on wasm',
  { skip: noGpu },
  async () => {
    const { dir, x, want } = fixture('mlp-float32');
    const spy = spyGpu(gpu);
    const reports = [];
    const model = await loadModel(join(dir, 'mlp-float32'), {
      backend: 'webgpu',
      gpu: spy.gpu,
      onDeviceLost: (info) => reports.push(info),
    });
    try {
      const inFlight = await model.predict(x); // submitted, not read back
      spy.devices[0].destroy();
      await new Promise((resolve) => setTimeout(resolve, 20)); // device.lost resolves
      assert.deepEqual(
        reports.map((r) => r.backend),
        ['webgpu'],
      );
      assert.match(reports[0].reason, /destroyed/);
      assert.match(model.backendReason, /^webgpu device destroyed.*the next call moves to a CPU backend/);
      assert.ok(maxAbsDiff(await inFlight.data(), want) <= ATOL, 'the output in flight is still right');
      assert.equal(model.backend, 'wasm');
      assert.match(model.backendReason, /^moved to 'wasm'.* after the webgpu device was destroyed/);
      const next = await model.predict(x);
      assert.equal(next.onDevice, false);
      assert.ok(maxAbsDiff(next.dataSync(), want) <= ATOL);
    } finally {
      model.dispose();
    }
    assert.deepEqual(liveResources(), NOTHING);
  },
);

test('device lost before a call: the call runs on wasm', { skip: noGpu }, async () => {
  const { dir, x, want } = fixture('mlp-float32');
  const spy = spyGpu(gpu);
  const model = await loadModel(join(dir, 'mlp-float32'), { backend: 'webgpu', gpu: spy.gpu });
  try {
    spy.devices[0].destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const y = await model.predict(x);
    assert.equal(model.backend, 'wasm');
    assert.ok(maxAbsDiff(await y.data(), want) <= ATOL);
  } finally {
    model.dispose();
  }
});

test(
  'a binding over maxStorageBufferBindingSize is EGPU_LIMIT naming the tensor; the failed load leaves nothing',
  { skip: noGpu },
  async () => {
    const { dir, x } = fixture('mlp-float32');
    const before = liveResources();
    // the MLP's first weight is 20 x 64 float32 = 5120 bytes
    await assert.rejects(
      loadModel(join(dir, 'mlp-float32'), {
        backend: 'webgpu',
        gpu,
        webgpuLimits: { maxStorageBufferBindingSize: 1024 },
      }),
      (e) =>
        e.code === 'EGPU_LIMIT' &&
        /tensor '[^']+' \[[\d,]+\] of node '[^']+' takes \d+ bytes, over the device's maxStorageBufferBindingSize \(1024\)/.test(
          e.message,
        ),
    );
    assert.deepEqual(liveResources(), before);
    // loads at batch 1 (the self-test), a batch whose activations are over the limit is refused by name
    const model = await loadModel(join(dir, 'mlp-float32'), {
      backend: 'webgpu',
      gpu,
      webgpuLimits: { maxStorageBufferBindingSize: 8192 },
    });
    try {
      const big = tensor(new Float32Array(128 * 20), [128, 20]);
      await assert.rejects(
        model.predict(big),
        (e) => e.code === 'EGPU_LIMIT' && /tensor '[^']+' \[128,\d+\]/.test(e.message),
      );
      assert.ok(
        maxAbsDiff(await (await model.predict(x)).data(), fixture('mlp-float32').want) <= ATOL,
        'the model still runs shapes that fit',
      );
    } finally {
      model.dispose();
    }
  },
);

test('dispatches fold under a lowered maxComputeWorkgroupsPerDimension and stay right', { skip: noGpu }, async () => {
  const { dir, want } = fixture('mlp-float32');
  const c = fixture('mlp-float32').c;
  const model = await loadModel(join(dir, 'mlp-float32'), {
    backend: 'webgpu',
    gpu,
    webgpuLimits: { maxComputeWorkgroupsPerDimension: 16 },
  });
  try {
    assert.match(model.backendReason, /limits capped: \{"maxComputeWorkgroupsPerDimension":16\}/);
    // a batch of 96 copies of the fixture rows: the elementwise ops over 96 x 64 hidden units need more
    // than 16 workgroups of 64 in x, so their programs fold the dispatch into x and y
    const rows = readF32(join(dir, c.input));
    const reps = 32;
    const big = new Float32Array(rows.length * reps);
    for (let r = 0; r < reps; r++) big.set(rows, r * rows.length);
    const got = await (await model.predict(tensor(big, [c.inputShape[0] * reps, c.inputShape[1]]))).data();
    for (let r = 0; r < reps; r++)
      assert.ok(maxAbsDiff(got.subarray(r * want.length, (r + 1) * want.length), want) <= ATOL, `copy ${r}`);
  } finally {
    model.dispose();
  }
});

test('webgpuLimits: an unknown or non-positive cap is EARG', { skip: noGpu }, async () => {
  const dir = join(fixturesDir(), 'mlp-float32');
  for (const webgpuLimits of [{ minStorageBufferOffsetAlignment: 4 }, { maxBufferSize: 0 }]) {
    await assert.rejects(
      loadModel(dir, { backend: 'webgpu', gpu, webgpuLimits }),
      (e) => e.code === 'EARG' && /webgpuLimits/.test(e.message),
    );
  }
  assert.deepEqual(liveResources(), NOTHING);
});

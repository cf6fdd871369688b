// FederatedClient (js_runtime/src/federated/) against an in-process fake of the /fl/v1 server
// (_fake_federated_server.mjs; the real Python server is in tests/test_federated_e2e.py): the update
// vector against float64 full-batch gradient descent (tests/node/_trainable.mjs's reference gradients),
// FedProx's proximal term, clipping, model reuse across versions, refusals, stop() and the AbortSignal.
// Secure aggregation runs against the real server only (tests/test_federated_e2e.py).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { FederatedClient, loadModel } from '../../js_runtime/src/index.js';
import { dataset, referenceGrads, trainableBundle } from './_trainable.mjs';
import { startFakeServer } from './_fake_federated_server.mjs';
import { ROOT } from './_helpers.mjs';

const N = 12;
const LR = 0.1;
// one batch per epoch: the order of the examples does not matter, so float64 gradient descent is the reference
const FULL_BATCH = { epochs: 2, batchSize: 64, learningRate: LR, proxMu: 0, seed: 3 };
const data = () => dataset(N);

/** The trainable weights of a version the server published, flattened in the update order. */
async function versionWeights(server, v) {
  const m = await loadModel(server.versions.get(v), { trainable: true, backend: 'js' });
  const w = m.getWeights();
  m.dispose();
  return w;
}

/**
 * float64 gradient descent from W, b: `steps` full-batch steps, with the proximal term mu * (w - w0), and
 * SGD momentum from a zero velocity (v = momentum * v - lr * g; w += v).
 */
function referenceDelta(W0, b0, steps, mu = 0, momentum = 0) {
  const { x, y } = dataset(N);
  let W = Float64Array.from(W0);
  let b = Float64Array.from(b0);
  let vW = new Float64Array(W.length);
  let vb = new Float64Array(b.length);
  for (let s = 0; s < steps; s++) {
    const { gW, gb } = referenceGrads(W, b, x.data, y, N);
    vW = vW.map((v, i) => momentum * v - LR * (gW[i] + mu * (W[i] - W0[i])));
    vb = vb.map((v, i) => momentum * v - LR * (gb[i] + mu * (b[i] - b0[i])));
    W = W.map((w, i) => w + vW[i]);
    b = b.map((v, i) => v + vb[i]);
  }
  return [...W.map((w, i) => w - W0[i]), ...b.map((v, i) => v - b0[i])];
}

function assertClose(got, want, tol, what) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++)
    assert.ok(Math.abs(got[i] - want[i]) <= tol, `${what}: element ${i}: got ${got[i]}, want ${want[i]}`);
}

async function withServer(options, fn) {
  const server = await startFakeServer({ bundle: trainableBundle(options.bundleOptions), ...options });
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

test('two rounds of FedAvg: each update is trained − global in training.trainable order, the model is reused', async () => {
  await withServer({ rounds: 2, task: { settings: FULL_BATCH } }, async (server) => {
    const reports = [];
    const client = new FederatedClient(server.url, { token: 'secret', backend: 'js' });
    const result = await client.join({ data, onRound: (r) => reports.push(r) });
    assert.deepEqual(result, { clientId: 'c1', rounds: 2, version: 2 });
    assert.deepEqual(server.order, ['W', 'b']);
    assert.equal(server.state.updates.length, 2);
    for (const [k, u] of server.state.updates.entries()) {
      const g = await versionWeights(server, k);
      assertClose(u.vector, referenceDelta(g.W, g.b, 2), 2e-6, `round ${k + 1}`);
      assert.equal(u.encoding, 'float32');
      assert.equal(u.numExamples, N);
      assert.equal(u.round, k + 1);
      assert.equal(u.taskId, `t${k + 1}`);
      assert.ok(Number.isFinite(u.metrics.loss) && u.metrics.accuracy >= 0);
    }
    assert.deepEqual(
      reports.map((r) => [r.round, r.version, r.accepted, r.reusedModel, r.clipped]),
      [
        [1, 0, true, false, false],
        [2, 1, true, true, false],
      ],
    );
    // the update itself travels as base64 float32: 4 bytes a value, a third more in base64
    for (const r of reports) assert.ok(r.bytesSent >= (4 * 15 * 4) / 3 && r.bytesReceived > 0, JSON.stringify(r));
    // the first round read version 0's bundle, the second only version 1's trainable weights
    const files = server.state.requests.filter((q) => q.includes('/model/'));
    assert.deepEqual(files, [
      'GET /fl/v1/model/0/model.json',
      'GET /fl/v1/model/0/weights-000.bin',
      'GET /fl/v1/model/1/trainable.bin',
    ]);
    assert.equal(server.state.updates[0].clipped, false);
  });
});

for (const backend of ['js', 'wasm'])
  test(`FedProx on ${backend}: the proximal term mu·(w − w_global) joins the gradient`, async () => {
    const mu = 0.5;
    await withServer({ rounds: 1, task: { settings: { ...FULL_BATCH, epochs: 3, proxMu: mu } } }, async (server) => {
      await new FederatedClient(server.url, { token: 'secret', backend }).join({ data });
      const g = await versionWeights(server, 0);
      const got = server.state.updates[0].vector;
      assertClose(got, referenceDelta(g.W, g.b, 3, mu), 2e-6, 'FedProx');
      // and it is not plain gradient descent (the term pulls towards the global weights)
      const plain = referenceDelta(g.W, g.b, 3, 0);
      assert.ok(got.some((v, i) => Math.abs(v - plain[i]) > 1e-4));
    });
  });

test('each round starts from a fresh optimizer state (SGD momentum: no velocity carried over)', async () => {
  const bundleOptions = { optimizer: { name: 'sgd', learning_rate: 0.5, momentum: 0.9, nesterov: false } };
  await withServer({ rounds: 2, bundleOptions, task: { settings: FULL_BATCH } }, async (server) => {
    await new FederatedClient(server.url, { token: 'secret', backend: 'js' }).join({ data });
    for (const [k, u] of server.state.updates.entries()) {
      const g = await versionWeights(server, k);
      assertClose(u.vector, referenceDelta(g.W, g.b, 2, 0, 0.9), 2e-6, `round ${k + 1}`);
    }
  });
});

test("fit's proximal option is checked (EARG)", async () => {
  const m = await loadModel(trainableBundle(), { trainable: true, backend: 'js' });
  const { x, y } = dataset(N);
  const w = m.getWeights();
  for (const proximal of [
    { mu: -1, center: w },
    { mu: 1 },
    { mu: 1, center: { W: w.W } },
    { mu: 1, center: { W: w.W, b: new Float32Array(1) } },
  ])
    await assert.rejects(m.fit(x, y, { proximal }), { code: 'EARG' });
  m.dispose();
});

test('clipNorm: the update is scaled to the clip norm, in the same direction', async () => {
  const clipNorm = 0.05;
  await withServer({ rounds: 1, task: { settings: FULL_BATCH, clipNorm } }, async (server) => {
    const reports = [];
    await new FederatedClient(server.url, { token: 'secret', backend: 'js' }).join({
      data,
      onRound: (r) => reports.push(r),
    });
    const g = await versionWeights(server, 0);
    const want = referenceDelta(g.W, g.b, 2);
    const norm = Math.hypot(...want);
    assert.ok(norm > clipNorm * 2, `the test needs an update over the clip norm (${norm})`);
    const got = server.state.updates[0].vector;
    assert.ok(Math.hypot(...got) <= clipNorm * (1 + 1e-5));
    assertClose(
      got,
      want.map((v) => (v * clipNorm) / norm),
      1e-6,
      'clipped',
    );
    assert.equal(reports[0].clipped, true);
    assert.equal(server.state.updates[0].clipped, true);
    assert.ok(Math.abs(reports[0].updateNorm - norm) < 1e-5);
  });
});

test('an update refused with EROUND is reported and the client goes on; ESHAPE stops it', async () => {
  let refusals = 1;
  const onUpdate = () => (refusals-- > 0 ? { code: 'EROUND' } : null);
  await withServer({ rounds: 1, task: { settings: FULL_BATCH }, onUpdate }, async (server) => {
    const reports = [];
    await new FederatedClient(server.url, { token: 'secret', backend: 'js' }).join({
      data,
      onRound: (r) => reports.push(r),
    });
    assert.deepEqual(
      reports.map((r) => [r.accepted, r.rejected]),
      [
        [false, 'EROUND'],
        [true, undefined],
      ],
    );
  });
  await withServer({ rounds: 1, onUpdate: () => ({ status: 400, code: 'ESHAPE' }) }, async (server) => {
    const client = new FederatedClient(server.url, { token: 'secret', backend: 'js' });
    await assert.rejects(client.join({ data }), (e) => {
      assert.equal(e.code, 'EFEDERATED');
      assert.equal(e.serverCode, 'ESHAPE');
      assert.equal(e.status, 400);
      return true;
    });
  });
});

test('a wrong token is EFEDERATED with serverCode EAUTH; an unreachable server EFETCH', async () => {
  await withServer({}, async (server) => {
    await assert.rejects(new FederatedClient(server.url, { token: 'wrong' }).join({ data }), (e) => {
      assert.equal(e.code, 'EFEDERATED');
      assert.equal(e.serverCode, 'EAUTH');
      assert.match(e.message, /unknown token/);
      return true;
    });
  });
  await assert.rejects(new FederatedClient('http://127.0.0.1:9/', { token: 't' }).join({ data }), { code: 'EFETCH' });
});

test('a trainable.bin of the wrong size is ESHAPE (nothing trained on it)', async () => {
  await withServer({ rounds: 2, truncateTrainableBin: true }, async (server) => {
    const client = new FederatedClient(server.url, { token: 'secret', backend: 'js' });
    await assert.rejects(client.join({ data }), { code: 'ESHAPE', message: /trainable\.bin: 56 bytes, expected 60/ });
    assert.equal(server.state.updates.length, 1); // round 1 only
  });
});

test('a server that answers 503 for a while (restarting) is waited for', async () => {
  await withServer({ rounds: 1, failTasks: 2 }, async (server) => {
    const result = await new FederatedClient(server.url, { token: 'secret', backend: 'js' }).join({ data });
    assert.equal(result.rounds, 1);
    assert.equal(server.state.requests.filter((q) => q.startsWith('GET /fl/v1/task')).length, 4); // 2 failed, train, done
  });
});

test('bad arguments are EARG', async () => {
  assert.throws(() => new FederatedClient('not a url'), { code: 'EARG' });
  assert.throws(() => new FederatedClient('http://x/', { token: 3 }), { code: 'EARG' });
  const c = new FederatedClient('http://127.0.0.1:9/');
  await assert.rejects(c.join({}), { code: 'EARG' });
  await assert.rejects(c.join({ data, onRound: 1 }), { code: 'EARG' });
  await assert.rejects(c.join({ data: () => ({ x: 1 }) }), { code: 'EARG' });
  await assert.rejects(c.join({ data: () => ({ x: new Float32Array(3), y: [] }) }), { code: 'EARG' });
});

test('an AbortSignal stops a waiting client with EABORTED', async () => {
  await withServer({ waitForever: true }, async (server) => {
    const ac = new AbortController();
    const client = new FederatedClient(server.url, { token: 'secret' });
    const joined = client.join({ data, signal: ac.signal, onStatus: (s) => s.phase === 'waiting' && ac.abort() });
    await assert.rejects(joined, (e) => e.code === 'EABORTED' && e.name === 'AbortError');
  });
});

test('after stop() a Node process exits by itself (no timer or request left pending)', async () => {
  await withServer({ waitForever: true }, async (server) => {
    const src = pathToFileURL(join(ROOT, 'js_runtime/src/index.js')).href;
    const script = `
      import { FederatedClient } from ${JSON.stringify(src)};
      const x = { data: new Float32Array(8), shape: [2, 4] };
      const client = new FederatedClient(${JSON.stringify(server.url)}, { token: 'secret' });
      let polls = 0;
      client.join({ data: () => ({ x, y: Int32Array.of(0, 1) }), onStatus: (s) => s.phase === 'waiting' && ++polls === 3 && client.stop() })
        .catch((e) => console.log(e.code, polls));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    // a guard, not a timing: a process kept alive by a timer would never exit
    const guard = setTimeout(() => child.kill(), 20000);
    const code = await new Promise((r) => child.on('exit', (c, sig) => r(sig ?? c)));
    clearTimeout(guard);
    assert.equal(code, 0, `the process did not exit by itself (${code}); output: ${out}`);
    assert.equal(out.trim(), 'EABORTED 3');
  });
});

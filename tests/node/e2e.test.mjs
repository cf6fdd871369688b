// End to end: bundles exported by Python (tests/node/make_fixtures.py: an MLP with Gelu/LayerNorm/Tanh,
// the MNIST CNN, a MobileNetV2-style net after one training step) in float32, float16 and int8, run
// in Node on the js and wasm backends, against the Python runner's outputs on the same input.
// Tolerance: 1e-4 absolute for every quantization (the Python runner also computes with the
// dequantized weights, so quantization does not widen it). Also every kind of source: directory,
// model.json path, file: URL, in-memory map and HTTP (fetch), with a 404 shard and an abort mid-stream.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleMap, fixtureIndex, fixturesDir, maxAbsDiff, readF32 } from './_helpers.mjs';
import { liveResources, loadModel, tensor } from '../../js_runtime/src/index.js';

const ATOL = 1e-4;

for (const backend of ['js', 'wasm'])
  for (const c of fixtureIndex().cases) {
    test(`${c.name} on ${backend}: Node matches the Python runner within ${ATOL}`, async () => {
      const dir = fixturesDir();
      const model = await loadModel(join(dir, c.bundle), { backend });
      assert.equal(model.backend, backend);
      assert.ok(model.selftest.maxError <= ATOL, `self-test max error ${model.selftest.maxError}`);
      const y = await model.predict(tensor(readF32(join(dir, c.input)), c.inputShape));
      const want = readF32(join(dir, c.output));
      assert.deepEqual(y.shape, c.outputShape);
      const diff = maxAbsDiff(y.dataSync(), want);
      assert.ok(diff <= ATOL, `max |node - python| = ${diff}`);
      if (c.quantize !== 'float32') {
        const stored = JSON.parse(readFileSync(join(dir, c.bundle, 'model.json'), 'utf8')).weights.tensors;
        assert.ok(
          stored.some((t) => t.dtype === (c.quantize === 'int8' ? 'int8' : 'float16')),
          'the bundle really is quantized',
        );
      }
      model.dispose();
    });
  }

test('classify applies the bundle preprocessing (scale 1/255) to raw pixels and ranks like Python', async () => {
  const dir = fixturesDir();
  const { digit } = fixtureIndex();
  const model = await loadModel(join(dir, digit.bundle));
  const raw = JSON.parse(readFileSync(join(dir, digit.json), 'utf8'));
  const probs = readF32(join(dir, digit.probs));
  const top = await model.classify({ data: Uint8Array.from(raw.data), shape: raw.shape }, { topK: 3 });
  assert.equal(top.length, 3);
  const order = [...probs.keys()].sort((a, b) => probs[b] - probs[a] || a - b);
  assert.deepEqual(
    top.map((p) => p.index),
    order.slice(0, 3),
  );
  top.forEach((p) => {
    assert.equal(p.label, String(p.index));
    assert.ok(Math.abs(p.probability - probs[p.index]) <= ATOL);
  });
  const flat = await model.classify(Uint8Array.from(raw.data)); // no shape: whole examples
  assert.deepEqual(
    flat.map((p) => p.index),
    order.slice(0, 3),
  );
  for (const canvas of [
    Uint8ClampedArray.from(raw.data),
    { data: Uint8ClampedArray.from(raw.data), shape: raw.shape },
  ]) {
    const fromCanvas = await model.classify(canvas); // ImageData pixels
    assert.deepEqual(
      fromCanvas.map((p) => [p.index, p.probability]),
      top.map((p) => [p.index, p.probability]),
    );
  }
  const batch = await model.classify(
    { data: Uint8Array.from([...raw.data, ...raw.data]), shape: [2, 28, 28, 1] },
    { topK: 1 },
  );
  assert.equal(batch.length, 2);
  assert.equal(batch[1][0].index, order[0]);
  model.dispose();
});

test('sources: directory, model.json path, file: URL, in-memory map (bytes, string or object)', async () => {
  const dir = join(fixturesDir(), 'mlp-float32');
  const x = tensor(new Float32Array(20).fill(0.5), [1, 20]);
  const outputs = [];
  const map = bundleMap('mlp-float32');
  const asString = { ...map, 'model.json': JSON.stringify(map['model.json']) };
  const asBytes = { ...map, 'model.json': new TextEncoder().encode(JSON.stringify(map['model.json'])) };
  for (const source of [
    dir,
    join(dir, 'model.json'),
    pathToFileURL(dir),
    pathToFileURL(dir).href,
    map,
    asString,
    asBytes,
    new Map(Object.entries(map)),
  ]) {
    const model = await loadModel(source);
    outputs.push(Array.from((await model.predict(x)).dataSync()));
    model.dispose();
  }
  outputs.forEach((o) => assert.deepEqual(o, outputs[0]));
});

/**
 * Serves the fixture dir over HTTP; `slow` streams weight files in small delayed chunks, and `cut`
 * lists the paths whose streaming the client stopped before the end.
 */
async function serve(slow = false) {
  const root = fixturesDir();
  const cut = [];
  const server = createServer((req, res) => {
    let body;
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    try {
      if (path === '/broken/model.json') {
        // the MLP's model.json, naming a shard the server does not have
        const m = JSON.parse(readFileSync(join(root, 'mlp-float32', 'model.json'), 'utf8'));
        m.weights.shards[0].file = 'weights-999.bin';
        body = Buffer.from(JSON.stringify(m));
      } else if (path === '/not-json/model.json') body = Buffer.from('{"format": "not a bundle"');
      else if (path === '/not-json/weights-000.bin') body = readFileSync(join(root, 'cnn-float32', 'weights-000.bin'));
      else body = readFileSync(join(root, path));
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    if (!slow || !req.url.endsWith('.bin')) return res.end(body);
    let at = 0;
    const timer = setInterval(() => {
      if (at >= body.length || res.destroyed) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(body.subarray(at, at + 4096));
      at += 4096;
    }, 2);
    res.on('close', () => {
      if (at < body.length) cut.push(path);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${server.address().port}`, cut };
}

test('HTTP: fetch a bundle by URL; a 404 shard is ESHARD_MISSING', async () => {
  const { server, base } = await serve();
  try {
    const events = [];
    const model = await loadModel(`${base}/cnn-float32/`, { onProgress: (e) => events.push(e) });
    assert.equal(events.at(-1).loaded, events.at(-1).total);
    model.dispose();
    const viaJson = await loadModel(new URL(`${base}/cnn-float32/model.json`));
    viaJson.dispose();
    const before = liveResources();
    await assert.rejects(
      loadModel(`${base}/nothing-here`),
      (e) => e.code === 'EMODEL_MISSING' && e.message.includes(`${base}/nothing-here/model.json`),
    );
    await assert.rejects(
      loadModel(`${base}/broken`),
      (e) => e.code === 'ESHARD_MISSING' && e.message.startsWith(`${base}/broken/weights-999.bin: missing shard`),
    );
    assert.deepEqual(liveResources(), before);
  } finally {
    server.close();
  }
});

test('HTTP: the first shard is requested without waiting for model.json', async () => {
  const root = fixturesDir();
  const log = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    log.push(`request ${path.split('/').pop()}`);
    const body = readFileSync(join(root, path));
    // model.json is answered late: the shard's request must already be in by then
    const delay = path.endsWith('model.json') ? 150 : 0;
    setTimeout(() => {
      log.push(`answer ${path.split('/').pop()}`);
      res.writeHead(200).end(body);
    }, delay);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const events = [];
    const model = await loadModel(`http://127.0.0.1:${server.address().port}/mlp-float32/`, {
      onProgress: (e) => events.push(e),
    });
    assert.ok(log.indexOf('request weights-000.bin') < log.indexOf('answer model.json'), log.join(', '));
    assert.equal(log.filter((l) => l === 'request weights-000.bin').length, 1, 'read once');
    assert.deepEqual(events.map((e) => e.file)[0], 'model.json', 'progress starts with model.json');
    assert.equal(events.at(-1).loaded, events.at(-1).total);
    assert.ok(events.every((e, i) => i === 0 || e.loaded >= events[i - 1].loaded));
    model.dispose();
  } finally {
    server.close();
  }
});

test('HTTP: a load that fails on model.json cancels the shard it requested early', async () => {
  const { server, base, cut } = await serve(true);
  try {
    await assert.rejects(loadModel(`${base}/not-json/`), (e) => e.code === 'EJSON');
    for (let i = 0; i < 100 && !cut.length; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(cut, ['/not-json/weights-000.bin'], 'the shard download was stopped, not finished');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('HTTP: abort while a shard streams in', async () => {
  const { server, base } = await serve(true);
  try {
    const controller = new AbortController();
    const before = liveResources();
    let chunks = 0;
    const p = loadModel(`${base}/cnn-float32`, {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.file !== 'model.json' && ++chunks === 3) controller.abort();
      },
    });
    await assert.rejects(p, (e) => e.name === 'AbortError' && e.code === 'EABORTED');
    assert.deepEqual(liveResources(), before);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

// int8 and float16 bundles computed at their stored width (docs/quantized_execution.md): the wasm
// backend keeps the weights of MatMul and (dense, grouped) Conv2D as int8 / float16 panels and decodes
// them inside the kernel, which must give the bits the float32 path gives on the dequantized weights
// (a twin bundle with those weights stored as float32); every backend stays within the documented bound
// of the Python runner; the weights take their stored width in wasm memory; and the loader keeps one
// form of a weight at a time on the JS heap.
//
//   node --test tests/node/quantized_execution.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bundleMap, fixtureIndex, fixturesDir, maxAbsDiff, readF32, sha256 } from './_helpers.mjs';
import { nodeGpu } from './_webgpu.mjs';
import { WebgradError, liveResources, loadModel, tensor } from '../../js_runtime/src/index.js';
import { dequantizeInto } from '../../js_runtime/src/math/dequantize.js';
import { readTensors } from '../../js_runtime/src/loader/weights.js';
import { compileVariant } from '../../js_runtime/src/backends/wasm/module.js';
import { writeConv2dParams, writeMatmulParams } from '../../js_runtime/src/backends/wasm/params.js';

/** The documented bound against the Python runner (docs/quantized_execution.md): the float32 one. */
const ATOL = 1e-4;
const QUANTIZED = fixtureIndex().cases.filter((c) => c.quantize !== 'float32');
const { gpu, reason: gpuReason } = await nodeGpu();

/** The fixture case's input and the Python runner's output on it. */
function fixture(c) {
  const dir = fixturesDir();
  return { x: tensor(readF32(join(dir, c.input)), c.inputShape), want: readF32(join(dir, c.output)) };
}

/**
 * The bundle `name` with every int8 / float16 weight replaced by its float32 dequantization (the op
 * set's Dequantize, as the Python runner computes it), in one new shard.
 */
function dequantizedTwin(name) {
  return dequantizedTwinOf(bundleMap(name));
}

/** {@link dequantizedTwin} of an in-memory bundle. */
function dequantizedTwinOf(map) {
  const manifest = structuredClone(map['model.json']);
  const shards = manifest.weights.shards.map((s) => map[s.file]);
  const data = new Uint8Array(shards.reduce((n, s) => n + s.byteLength, 0));
  shards.reduce((at, s) => (data.set(s, at), at + s.byteLength), 0);
  const parts = [];
  let offset = 0;
  for (const t of manifest.weights.tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const Stored = { float32: Float32Array, int32: Int32Array, float16: Uint16Array, int8: Int8Array }[t.dtype];
    let values = new Stored(data.slice(t.offset, t.offset + t.byteLength).buffer);
    if (t.quantization) {
      const out = new Float32Array(count);
      const q = t.quantization;
      const scales = q.scales
        ? { data: Float32Array.from(q.scales), shape: [q.scales.length], dtype: 'float32' }
        : null;
      dequantizeInto({ data: values, shape: t.shape, dtype: t.dtype }, scales, null, q.axis ?? null, {
        data: out,
        shape: t.shape,
        dtype: 'float32',
      });
      values = out;
      t.dtype = 'float32';
      delete t.quantization;
    }
    t.offset = offset;
    t.byteLength = values.byteLength;
    parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    offset += values.byteLength;
  }
  const shard = new Uint8Array(offset);
  parts.reduce((at, p) => (shard.set(p, at), at + p.byteLength), 0);
  manifest.weights.shards = [{ file: 'weights-000.bin', byteLength: shard.byteLength, sha256: sha256(shard) }];
  return { 'model.json': manifest, 'weights-000.bin': shard };
}

/** Whether two float32 arrays hold the same bits. */
function sameBits(a, b) {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

for (const c of QUANTIZED) {
  test(`${c.name} on wasm: the stored-width kernels give the bits of the dequantized float32 bundle`, async () => {
    const { x } = fixture(c);
    const stored = await loadModel(join(fixturesDir(), c.bundle), { backend: 'wasm' });
    const twin = await loadModel(dequantizedTwin(c.bundle), { backend: 'wasm' });
    try {
      // one example (the GEMV path), the fixture's batch (few rows), 24 examples (many rows)
      const one = x.dataSync().slice(0, x.size / x.shape[0]);
      const many = Float32Array.from({ length: 24 * one.length }, (_, i) => one[i % one.length] * (1 + (i % 7) / 10));
      for (const batch of [tensor(one, [1, ...x.shape.slice(1)]), x, tensor(many, [24, ...x.shape.slice(1)])]) {
        const got = (await stored.predict(batch)).dataSync();
        const want = (await twin.predict(batch)).dataSync();
        assert.ok(sameBits(got, want), `batch ${batch.shape[0]}: max |diff| ${maxAbsDiff(got, want)}`);
      }
      // the weights really are kept at their stored width
      assert.ok(
        stored.memory().weightsBytes < twin.memory().weightsBytes,
        `${stored.memory().weightsBytes} >= ${twin.memory().weightsBytes}`,
      );
    } finally {
      stored.dispose();
      twin.dispose();
    }
  });

  for (const backend of ['js', 'wasm', 'webgpu']) {
    const skip = backend === 'webgpu' && !gpu ? `no WebGPU adapter: ${gpuReason}` : false;
    test(`${c.name} on ${backend}: within ${ATOL} of the Python runner, self-test included`, { skip }, async () => {
      const { x, want } = fixture(c);
      const model = await loadModel(join(fixturesDir(), c.bundle), { backend, gpu: gpu ?? undefined });
      try {
        assert.equal(model.backend, backend);
        assert.ok(model.selftest.maxError <= ATOL, `self-test max error ${model.selftest.maxError}`);
        const diff = maxAbsDiff(await (await model.predict(x)).data(), want);
        assert.ok(diff <= ATOL, `max |${backend} - python| = ${diff}`);
      } finally {
        model.dispose();
      }
    });
  }
}

test('wasm weightsBytes: int8 MatMul / Conv2D weights take a quarter of float32, float16 half', async () => {
  const bytes = {};
  for (const q of ['float32', 'float16', 'int8']) {
    const m = await loadModel(join(fixturesDir(), `cnn-${q}`), { backend: 'wasm' });
    bytes[q] = m.memory().weightsBytes;
    m.dispose();
  }
  assert.ok(bytes.int8 <= 0.3 * bytes.float32, `int8 ${bytes.int8} vs float32 ${bytes.float32}`);
  assert.ok(bytes.float16 <= 0.55 * bytes.float32, `float16 ${bytes.float16} vs float32 ${bytes.float32}`);
  // the js backend computes in float32: its weights are the dequantized ones
  const js = await loadModel(join(fixturesDir(), 'cnn-int8'), { backend: 'js' });
  assert.ok(js.memory().weightsBytes >= 0.9 * bytes.float32);
  js.dispose();
  assert.deepEqual(liveResources(), { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 });
});

test('the loader keeps a stored weight until its float32 values are read, then only those', () => {
  const map = bundleMap('cnn-int8');
  const manifest = map['model.json'];
  const weights = readTensors(manifest.weights.tensors, map['weights-000.bin'], 'model.json');
  const [name, w] = [...weights].find(([, v]) => v.stored?.dtype === 'int8');
  const t = manifest.weights.tensors.find((k) => k.name === name);
  assert.equal(w.dtype, 'float32');
  assert.equal(
    w.stored.data.length,
    w.shape.reduce((a, b) => a * b, 1),
  );
  assert.deepEqual([...w.stored.scales], t.quantization.scales.map(Math.fround));
  const values = w.data; // dequantized now, once
  assert.equal(w.stored, undefined, 'the stored form is dropped once float32 exists');
  assert.equal(w.data, values);
  const c = w.shape.at(-1);
  assert.equal(
    values[c + 1],
    Math.fround(new Int8Array(map['weights-000.bin'].buffer)[t.offset + c + 1] * t.quantization.scales[1]),
  );
});

/** Rewrites one stored value of the first float16 (or int8) tensor of `name`, checksums updated. */
function corrupt(name, dtype, write) {
  const map = bundleMap(name);
  const t = map['model.json'].weights.tensors.find((k) => k.dtype === dtype);
  const shard = map['weights-000.bin'];
  write(new DataView(shard.buffer, shard.byteOffset), t);
  map['model.json'].weights.shards[0].sha256 = sha256(shard);
  return { map, t };
}

async function rejects(promise, code, pattern) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof WebgradError, `expected a WebgradError, got ${e}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

test('non-finite stored weights are still refused at load, on every backend', async () => {
  // float16 Inf / NaN bits (the stored form is checked without dequantizing it)
  for (const [bits, kind] of [
    [0x7c00, 'Inf'],
    [0x7e00, 'NaN'],
  ]) {
    const { map, t } = corrupt('cnn-float16', 'float16', (dv, w) => dv.setUint16(w.offset + 2 * 5, bits, true));
    for (const backend of ['js', 'wasm'])
      await rejects(loadModel(map, { backend }), 'ENONFINITE', new RegExp(`'${t.name}' has ${kind} at index`));
  }
  // an int8 scale so large that 127 * scale overflows float32
  const { map, t } = corrupt('cnn-int8', 'int8', (dv, w) => dv.setInt8(w.offset, 127));
  t.quantization.scales[0] = 3e38;
  await rejects(loadModel(map, { backend: 'wasm' }), 'ENONFINITE', new RegExp(`'${t.name}' has Inf at index`));
  // a finite large scale is accepted (128 * scale overflows, but no stored value reaches it)
  const ok = corrupt('cnn-int8', 'int8', () => {});
  ok.t.quantization.scales[0] = 2.67e36;
  const model = await loadModel(ok.map, { backend: 'wasm', selftest: false });
  model.dispose();
});

test('int8 scales that do not match the channel count are refused at load', async () => {
  const map = bundleMap('cnn-int8');
  const t = map['model.json'].weights.tensors.find((k) => k.dtype === 'int8');
  t.quantization.scales.pop();
  await rejects(loadModel(map, { backend: 'wasm' }), 'ETENSOR', /needs one scale per channel along an existing axis/);
  t.quantization.axis = 7;
  await rejects(loadModel(map, { backend: 'wasm' }), 'ETENSOR', /needs one scale per channel/);
});

test('int8 scales along another axis than the output channel: dequantized at load, same numbers', async () => {
  // a MatMul weight [K, N] quantized per row (axis 0) cannot be scaled per output: float32 path
  const map = bundleMap('mlp-float32');
  const manifest = map['model.json'];
  const node = manifest.graph.nodes.find((n) => n.op === 'MatMul');
  const t = manifest.weights.tensors.find((k) => k.name === node.inputs[1]);
  const shard = map['weights-000.bin'];
  const [K, N] = t.shape;
  const q = new Int8Array(K * N).map((_, i) => ((i * 37) % 255) - 127);
  const scales = Array.from({ length: K }, (_, k) => Math.fround(0.001 * (k + 1)));
  // the float32 twin holds the dequantized values in place of the weight
  const f32 = new Float32Array(shard.buffer, shard.byteOffset + t.offset, K * N);
  q.forEach((v, i) => (f32[i] = Math.fround(v * scales[Math.floor(i / N)])));
  const twin = { ...map, 'model.json': structuredClone(manifest), 'weights-000.bin': shard.slice() };
  twin['model.json'].weights.shards[0].sha256 = sha256(twin['weights-000.bin']);
  // the int8 bundle: q appended to the shard (at a 16-byte boundary) and the tensor pointed at it
  const at = Math.ceil(shard.byteLength / 16) * 16;
  const bytes = new Uint8Array(at + q.byteLength);
  bytes.set(shard);
  bytes.set(new Uint8Array(q.buffer), at);
  const qm = structuredClone(manifest);
  Object.assign(
    qm.weights.tensors.find((k) => k.name === t.name),
    {
      dtype: 'int8',
      offset: at,
      byteLength: q.byteLength,
      quantization: { scheme: 'int8_symmetric', axis: 0, scales },
    },
  );
  qm.weights.shards[0] = { file: 'weights-000.bin', byteLength: bytes.byteLength, sha256: sha256(bytes) };
  const a = await loadModel({ 'model.json': qm, 'weights-000.bin': bytes }, { backend: 'wasm', selftest: false });
  const b = await loadModel(twin, { backend: 'wasm', selftest: false });
  const x = tensor(
    Float32Array.from({ length: 2 * K }, (_, i) => Math.sin(i)),
    [2, K],
  );
  assert.ok(sameBits((await a.predict(x)).dataSync(), (await b.predict(x)).dataSync()));
  a.dispose();
  b.dispose();
});

test('float16 weights decode exactly in the kernels: signed zeros, subnormals, the largest halves', async () => {
  const specials = [0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x83ff, 0x0400, 0x8400, 0x7bff, 0xfbff, 0x3c00, 0xbc00];
  const { map } = corrupt('mlp-float16', 'float16', (dv, t) => {
    const count = t.byteLength / 2;
    for (let i = 0; i < count; i++) dv.setUint16(t.offset + 2 * i, specials[(i * 7) % specials.length], true);
  });
  const a = await loadModel(map, { backend: 'wasm', selftest: false });
  const b = await loadModel(dequantizedTwinOf(map), { backend: 'wasm', selftest: false });
  try {
    const K = map['model.json'].signature.inputs[0].shape[1];
    for (const rows of [1, 3, 24]) {
      const x = tensor(
        Float32Array.from({ length: rows * K }, (_, i) => Math.cos(i) * 1e-3),
        [rows, K],
      );
      const got = (await a.predict(x)).dataSync();
      const want = (await b.predict(x)).dataSync();
      assert.ok(sameBits(got, want), `${rows} rows: max |diff| ${maxAbsDiff(got, want)}`);
    }
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('the stored-width C entry points refuse what they cannot compute (WG_ERR_ARG, -2)', async () => {
  const { exports: ex } = await WebAssembly.instantiate(await compileVariant('simd'), {});
  const p = ex.wg_alloc(4096);
  const dv = () => new DataView(ex.memory.buffer);
  const mm = { M: 2, N: 8, K: 4, transposeA: false, transposeB: false, bPacked: true, activation: 0, alpha: 0 };
  const batch = { batchRank: 0, batchShape: [], aBatchShape: [], bBatchShape: [] };
  const b = ex.wg_alloc(64);
  const s = ex.wg_alloc(64);
  const matmul = (fields, scales, kind) => {
    writeMatmulParams(dv(), p, { ...mm, ...batch, ...fields });
    return ex.wg_MatMul_q(0, b, scales, 0, ex.wg_alloc(64), p, kind);
  };
  assert.equal(matmul({}, s, 1), 0, 'a valid call');
  assert.equal(matmul({}, s, 3), -2, 'an unknown kind');
  assert.equal(matmul({}, 0, 1), -2, 'int8 without scales');
  assert.equal(matmul({ bPacked: false }, s, 2), -2, 'weights not packed');
  assert.equal(matmul({ batchRank: 1, batchShape: [2], aBatchShape: [2], bBatchShape: [2] }, s, 2), -2, 'batched b');
  assert.equal(ex.wg_pack_b_q(b, s, 2, 2, 2, 1, 0), -2, 'pack: unknown kind');
  assert.equal(ex.wg_pack_b_q(b, s, -1, 2, 2, 1, 1), -2, 'pack: negative size');
  const conv = { N: 1, H: 3, W: 3, C: 4, OH: 1, OW: 1, O: 4, KH: 3, KW: 3, strideH: 1, strideW: 1 };
  const rest = { dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, activation: 0, alpha: 0, wPacked: true };
  writeConv2dParams(dv(), p, { ...conv, ...rest, groups: 4 }); // depthwise: kept float32, never stored
  assert.equal(ex.wg_Conv2D_q(0, b, s, 0, 0, p, 1), -2, 'depthwise');
  writeConv2dParams(dv(), p, { ...conv, ...rest, groups: 1, wPacked: false });
  assert.equal(ex.wg_Conv2D_q(0, b, s, 0, 0, p, 1), -2, 'filter not packed');
});

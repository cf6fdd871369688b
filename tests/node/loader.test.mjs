// loadModel on bad input: every case gets a WebgradError with its code and a message naming the
// file/node/tensor and what was expected, and a failed or aborted load leaves nothing allocated.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bundleMap, fixturesDir, sha256 } from './_helpers.mjs';
import { WebgradError, liveResources, loadModel, tensor } from '../../js_runtime/src/index.js';
import { OPSET } from '../../js_runtime/src/opset.js';

const MLP = 'mlp-float32';

/** A fresh, mutable copy of the MLP bundle as an in-memory map. */
function mlp() {
  return bundleMap(MLP);
}

/** Asserts `promise` rejects with a WebgradError of `code` whose message matches every pattern. */
async function rejects(promise, code, ...patterns) {
  const before = liveResources();
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof WebgradError, `expected a WebgradError, got ${e}`);
    assert.equal(e.code, code, e.message);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
  assert.deepEqual(liveResources(), before, 'a failed load leaves nothing allocated');
}

test('a good in-memory bundle loads (the baseline the bad ones are made from)', async () => {
  const model = await loadModel(mlp());
  assert.equal(model.backend, 'wasm');
  model.dispose();
  assert.deepEqual(liveResources(), { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 });
});

test('missing model.json, bad source, bad JSON, not a bundle', async () => {
  await rejects(
    loadModel(join(fixturesDir(), 'no-such-bundle')),
    'EMODEL_MISSING',
    /no-such-bundle\/model\.json: missing model\.json/,
  );
  await rejects(loadModel(42), 'ESOURCE', /expected a URL, a directory path or a map/);
  await rejects(loadModel({ 'model.json': '{"format": ' }), 'EJSON', /model\.json.*invalid JSON/);
  await rejects(loadModel({ 'model.json': '[1, 2]' }), 'EJSON', /expected a JSON object, got an array/);
  await rejects(
    loadModel({ 'model.json': { format: 'onnx' } }),
    'EFORMAT',
    /'format' is "onnx", expected 'webgrad-bundle'/,
  );
});

test('newer formatVersion / opsetVersion: tells to upgrade', async () => {
  for (const key of ['formatVersion', 'opsetVersion']) {
    const b = mlp();
    b['model.json'][key] = 99;
    await rejects(
      loadModel(b),
      'EVERSION',
      new RegExp(`${key} 99 is newer than this webgrad runtime`),
      /upgrade the npm package webgrad/,
    );
  }
});

test('structure violations name the JSON path and the node/tensor', async () => {
  let b = mlp();
  delete b['model.json'].graph.nodes[1].op;
  await rejects(loadModel(b), 'ESCHEMA', /\$\.graph\.nodes\[1\]/, /'op' is a required property/);
  b = mlp();
  b['model.json'].weights.tensors[0].offset = 3;
  await rejects(loadModel(b), 'ESCHEMA', /\$\.weights\.tensors\[0\]\.offset/, /not a multiple of 16/);
  b = mlp();
  b['model.json'].signature.inputs[0].dtype = 'float64';
  await rejects(loadModel(b), 'ESCHEMA', /\$\.signature\.inputs\[0\]\.dtype/, /dtype must be one of/);
  b = mlp();
  b['model.json'].extra = 1;
  await rejects(loadModel(b), 'ESCHEMA', /additional properties are not allowed \('extra' unexpected\)/);
});

test('missing shard, truncated shard, too-long shard, checksum mismatch', async () => {
  let b = mlp();
  delete b['weights-000.bin'];
  await rejects(
    loadModel(b),
    'ESHARD_MISSING',
    /weights-000\.bin.*missing shard \(model\.json lists it with \d+ bytes\)/,
  );
  b = mlp();
  b['weights-000.bin'] = b['weights-000.bin'].subarray(0, 100);
  await rejects(
    loadModel(b),
    'ESHARD_SIZE',
    /weights-000\.bin.*truncated shard: model\.json says \d+ bytes, the file has 100/,
  );
  b = mlp();
  b['weights-000.bin'] = new Uint8Array([...b['weights-000.bin'], 0]);
  await rejects(loadModel(b), 'ESHARD_SIZE', /shard too long/);
  b = mlp();
  b['weights-000.bin'][5] ^= 0xff;
  await rejects(
    loadModel(b),
    'ECHECKSUM',
    /weights-000\.bin.*sha256 mismatch: model\.json says [0-9a-f]{64}, the file hashes to [0-9a-f]{64}/,
  );
});

/** The bundle with its one shard split in two at byte `at` (the tensor offsets index the concatenation). */
function splitShards(b, at) {
  const whole = b['weights-000.bin'];
  const parts = [whole.slice(0, at), whole.slice(at)];
  b['model.json'].weights.shards = parts.map((p, i) => ({
    file: `weights-00${i}.bin`,
    byteLength: p.byteLength,
    sha256: sha256(p),
  }));
  parts.forEach((p, i) => {
    b[`weights-00${i}.bin`] = p;
  });
  return b;
}

test('several shards: concatenated in order; checksum errors come first, in shard order', async () => {
  const x = tensor(
    new Float32Array(3 * 20).map((_, i) => Math.sin(i)),
    [3, 20],
  );
  const whole = await loadModel(mlp());
  const want = await (await whole.predict(x)).data();
  whole.dispose();
  const split = await loadModel(splitShards(mlp(), 1000));
  assert.deepEqual(await (await split.predict(x)).data(), want);
  split.dispose();

  // shard 0 corrupted and shard 1 missing: the corrupted shard, read first, is what is reported
  let b = splitShards(mlp(), 1000);
  b['weights-000.bin'][5] ^= 0xff;
  delete b['weights-001.bin'];
  await rejects(loadModel(b), 'ECHECKSUM', /weights-000\.bin.*sha256 mismatch/);
  // a NaN written into a shard without updating its checksum is a checksum error, not a NaN weight
  b = mlp();
  const w = b['model.json'].weights.tensors[0];
  new DataView(b['weights-000.bin'].buffer).setUint32(w.offset, 0x7fc00000, true);
  await rejects(loadModel(b), 'ECHECKSUM', /weights-000\.bin.*sha256 mismatch/);
  // the same with a bad tensor byte range: the checksum still comes first
  b = mlp();
  b['weights-000.bin'][5] ^= 0xff;
  b['model.json'].weights.tensors[0].byteLength += 4;
  await rejects(loadModel(b), 'ECHECKSUM', /sha256 mismatch/);
});

test('a bundle whose shard is not weights-000.bin ignores a stray weights-000.bin', async () => {
  const b = mlp();
  b['weights-007.bin'] = b['weights-000.bin'];
  b['weights-000.bin'] = new Uint8Array(b['weights-007.bin'].byteLength).fill(7); // read early, then unused
  b['model.json'].weights.shards[0].file = 'weights-007.bin';
  const x = tensor(new Float32Array(3 * 20).fill(0.5), [3, 20]);
  const model = await loadModel(b);
  const ref = await loadModel(mlp());
  assert.deepEqual(await (await model.predict(x)).data(), await (await ref.predict(x)).data());
  model.dispose();
  ref.dispose();
});

test('a shard given as a view into a larger buffer is read from its own offset, not aliased', async () => {
  const b = mlp();
  const bytes = b['weights-000.bin'];
  const host = new Uint8Array(bytes.byteLength + 3);
  host.set(bytes, 3);
  b['weights-000.bin'] = host.subarray(3);
  const model = await loadModel(b);
  host.fill(0); // the model keeps its own copy of the weights
  const x = tensor(new Float32Array(3 * 20).fill(0.25), [3, 20]);
  const ref = await loadModel(mlp());
  assert.deepEqual(await (await model.predict(x)).data(), await (await ref.predict(x)).data());
  model.dispose();
  ref.dispose();
});

test('self-test data that is not base64 is a schema error naming the tensor', async () => {
  const cases = [
    ['@@@@', /\$\.selftest\.inputs\[0\]\.data \('.*'\): expected a base64 string/],
    ['AAA', /selftest input '.*': data is not base64/], // unpadded
    ['AAAAA', /selftest input '.*': data is not base64/],
  ];
  for (const [bad, message] of cases) {
    const b = mlp();
    b['model.json'].selftest.inputs[0].data = bad;
    await rejects(loadModel(b), 'ESCHEMA', message);
  }
});

test('unknown op, bad attributes, undefined tensor, nodes out of order', async () => {
  let b = mlp();
  const node = b['model.json'].graph.nodes[1];
  node.op = 'FancyAttention';
  await rejects(
    loadModel(b),
    'EUNKNOWN_OP',
    new RegExp(`unknown op 'FancyAttention' in node '${node.name.replace('/', '\\/')}'`),
    new RegExp(`op set v${OPSET.opsetVersion} has: .*MatMul`),
  );
  b = mlp();
  b['model.json'].graph.nodes[0].attrs.activation = 'swish';
  await rejects(loadModel(b), 'EATTR', /MatMul\.activation must be one of/);
  b = mlp();
  b['model.json'].graph.nodes[0].attrs.bogus = 1;
  await rejects(loadModel(b), 'EATTR', /MatMul has no attribute\(s\) \["bogus"\]/);
  b = mlp();
  b['model.json'].graph.nodes[1].inputs[0] = 'nowhere';
  await rejects(loadModel(b), 'EGRAPH', /reads undefined tensor 'nowhere'/);
  b = mlp();
  b['model.json'].graph.nodes.reverse();
  await rejects(loadModel(b), 'EGRAPH', /before node .* makes it \(a cycle, or nodes out of topological order\)/);
});

test('bad tensor byte range, size or quantization; NaN / Inf weights', async () => {
  let b = mlp();
  const t = b['model.json'].weights.tensors.at(-1);
  t.offset += 1024;
  await rejects(
    loadModel(b),
    'ETENSOR',
    new RegExp(`tensor '${t.name.replace('/', '\\/')}': bytes \\[\\d+, \\d+\\) run past the end of the weight data`),
  );
  b = mlp();
  b['model.json'].weights.tensors[0].byteLength += 4;
  await rejects(loadModel(b), 'ETENSOR', /byteLength \d+, but shape \[.*\] of float32 takes \d+ bytes/);
  b = mlp();
  b['model.json'].weights.tensors[0].quantization = { scheme: 'float16' };
  await rejects(loadModel(b), 'ETENSOR', /stored dtype float32 with scheme 'float16'; expected no quantization/);
  for (const [bits, kind] of [
    [0x7fc00000, 'NaN'],
    [0x7f800000, 'Inf'],
  ]) {
    b = mlp();
    const w = b['model.json'].weights.tensors[0];
    const shard = b['weights-000.bin'];
    new DataView(shard.buffer, shard.byteOffset).setUint32(w.offset + 4 * 3, bits, true);
    b['model.json'].weights.shards[0].sha256 = sha256(shard);
    await rejects(
      loadModel(b),
      'ENONFINITE',
      new RegExp(`tensor '${w.name.replace('/', '\\/')}' has ${kind} at index \\(0, 3\\) \\(1 non-finite values\\)`),
    );
  }
});

test('graph shapes are checked against the signature at load', async () => {
  const b = mlp();
  b['model.json'].signature.outputs[0].shape = [null, 7];
  await rejects(
    loadModel(b),
    'ESHAPE',
    /signature output '.*' is declared float32 \[null, 7\], but the graph makes float32 \[null, 5\]/,
  );
});

test('a failing self-test names the max difference and the tolerance, and frees the backend', async () => {
  const b = mlp();
  const out = b['model.json'].selftest.outputs[0];
  const values = new Float32Array(new Uint8Array(Buffer.from(out.data, 'base64')).buffer);
  values[0] += 0.5;
  out.data = Buffer.from(values.buffer).toString('base64');
  await rejects(
    loadModel(b),
    'ESELFTEST',
    /selftest failed on backend 'wasm'/,
    /max difference 0\.\d+ exceeds the tolerance \|error\| <= 0\.0001 \+ 0\.001 \* \|expected\|/,
  );
  const model = await loadModel(b, { selftest: false });
  assert.equal(model.selftest, null);
  model.dispose();
});

test('unknown and unavailable backends', async () => {
  await rejects(
    loadModel(mlp(), { backend: 'cuda' }),
    'EBACKEND',
    /unknown backend "cuda"; registered: js, wasm, webgpu/,
  );
  await rejects(
    loadModel(mlp(), { backend: 'wasm', wasmVariant: 'avx' }),
    'EARG',
    /wasmVariant must be 'auto', 'simd' or 'relaxed', got "avx"/,
  );
  await rejects(loadModel(mlp(), { backend: 'webgpu' }), 'EBACKEND', /backend 'webgpu' is not available here/);
  const model = await loadModel(mlp());
  assert.match(model.backendReason, /^auto: picked 'wasm': webgrad-(relaxed|simd)(-threads)?\.wasm/);
  assert.match(model.backendReason, /skipped webgpu: /);
  model.dispose();
});

test('abort before and during the load rejects with an AbortError and leaves nothing allocated', async () => {
  const before = new AbortController();
  before.abort();
  await rejects(loadModel(mlp(), { signal: before.signal }), 'EABORTED', /aborted/);
  const during = new AbortController();
  const events = [];
  const p = loadModel(join(fixturesDir(), 'cnn-float32'), {
    signal: during.signal,
    onProgress: (e) => {
      events.push(e);
      during.abort(new Error('user cancelled'));
    },
  });
  await rejects(p, 'EABORTED', /aborted/);
  await p.catch((e) => {
    assert.equal(e.name, 'AbortError');
    assert.equal(e.cause.message, 'user cancelled');
  });
  assert.equal(events.length, 1, 'no progress after the abort');
});

test('progress is reported in bytes, file by file, ending at the total', async () => {
  const events = [];
  const model = await loadModel(join(fixturesDir(), 'cnn-float32'), { onProgress: (e) => events.push(e) });
  model.dispose();
  assert.equal(events[0].file, 'model.json');
  const last = events.at(-1);
  assert.equal(last.loaded, last.total);
  assert.equal(last.file, 'weights-000.bin');
  assert.ok(events.every((e, i) => i === 0 || e.loaded >= events[i - 1].loaded));
});

test('predict checks input names, count, rank, static dims and dtype', async () => {
  const model = await loadModel(mlp());
  const name = model.signature.inputs[0].name;
  const x = new Float32Array(3 * 20);
  const bad = async (input, code, pattern) => {
    await assert.rejects(model.predict(input), (e) => {
      assert.ok(e instanceof WebgradError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, pattern);
      return true;
    });
  };
  await bad({ data: x, shape: [3, 21] }, 'ESHAPE', /shape \[3, 21\] needs 63 values, data has 60/);
  await bad(
    { data: new Float32Array(63), shape: [3, 21] },
    'ESHAPE',
    new RegExp(`input '${name}' expects shape \\[null, 20\\] \\(null = any\\), got \\[3, 21\\]`),
  );
  await bad({ data: x, shape: [60] }, 'ESHAPE', /expects shape \[null, 20\]/);
  await bad(
    { data: new Int32Array(60), shape: [3, 20] },
    'EDTYPE',
    new RegExp(`input '${name}' must be float32, got int32`),
  );
  await bad(
    { wrong: tensor(x, [3, 20]) },
    'EINPUT',
    /the model's inputs are \[.*\]; got \[wrong\] \(missing \[.*\], unknown \[wrong\]\)/,
  );
  await bad([tensor(x, [3, 20]), tensor(x, [3, 20])], 'EINPUT', /takes 1 input\(s\).*got an array of 2/);
  await bad('pixels', 'EINPUT', /expected a Tensor/);
  const ok = await model.predict({ [name]: { data: x, shape: [3, 20] } });
  assert.deepEqual(ok.shape, [3, 5]);
  model.dispose();
  await bad({ data: x, shape: [3, 20] }, 'EDISPOSED', /after dispose/);
  assert.throws(
    () => model.memory(),
    (e) => e.code === 'EDISPOSED',
  );
});

test('base64Bytes: the same bytes through Buffer and through atob (browsers), in a buffer of their own', async () => {
  const { base64Bytes } = await import('../../js_runtime/src/loader/encoded.js');
  const bytes = new Uint8Array(300).map((_, i) => (i * 37 + 11) & 255);
  for (const n of [0, 1, 2, 3, 300]) {
    const text = Buffer.from(bytes.subarray(0, n)).toString('base64');
    const viaBuffer = base64Bytes(text);
    assert.deepEqual([...viaBuffer], [...bytes.subarray(0, n)]);
    assert.equal(viaBuffer.byteOffset, 0);
    assert.equal(viaBuffer.buffer.byteLength, n, 'not a view into a shared pool');
    const saved = globalThis.Buffer;
    globalThis.Buffer = undefined;
    try {
      assert.deepEqual([...base64Bytes(text)], [...bytes.subarray(0, n)]);
    } finally {
      globalThis.Buffer = saved;
    }
  }
  for (const bad of ['A', 'AAA', 'A A=', '====', 'AA\nA']) assert.throws(() => base64Bytes(bad), SyntaxError, bad);
});

test('NaN / Inf found at their index in small and large models (two scanners)', async () => {
  const { readTensors } = await import('../../js_runtime/src/loader/weights.js');
  for (const n of [1000, 600000]) {
    // below and above the size where the scan switches
    for (const [at, value, kind] of [
      [n - 1, NaN, 'NaN'],
      [7, -Infinity, 'Inf'],
    ]) {
      const values = new Float32Array(n).fill(0.5);
      values[at] = value;
      const tensors = [{ name: 'w', dtype: 'float32', shape: [n], offset: 0, byteLength: 4 * n }];
      assert.throws(
        () => readTensors(tensors, new Uint8Array(values.buffer), 'm.json'),
        (e) => e.code === 'ENONFINITE' && e.message.includes(`has ${kind} at index (${at}) (1 non-finite values)`),
        `${n} ${kind}`,
      );
    }
    const fine = new Float32Array(n).fill(0.25);
    const out = readTensors(
      [{ name: 'w', dtype: 'float32', shape: [n], offset: 0, byteLength: 4 * n }],
      new Uint8Array(fine.buffer),
      'm.json',
    );
    assert.equal(out.get('w').data[n - 1], 0.25);
  }
});

test('a 100,000-node graph loads (the validation passes are linear; no recursion) and runs its self-test', async () => {
  const { chainBundle } = await import('./_chain_bundle.mjs');
  const model = await loadModel(chainBundle(100000), { backend: 'js' });
  assert.ok(model.selftest.maxError <= 1e-3, 'the self-test ran and passed');
  const y = await (await model.predict(tensor(new Float32Array([-1, 0, 0.5, 3]), [1, 4]))).data();
  assert.ok(y[0] === 0 && y[1] === 0 && y[2] > 0 && y[2] < 0.5 && y[3] > 0 && y[3] < 1, `relu/tanh chain output ${y}`);
  model.dispose();
});

test('model.json nested deeper than 64 is EJSON before parsing; brackets in strings do not count', async () => {
  const { tooDeepAt } = await import('../../js_runtime/src/loader/json_depth.js');
  assert.equal(tooDeepAt('[[1]]', 1), 1);
  assert.equal(tooDeepAt('[[1]]', 2), -1);
  assert.equal(tooDeepAt('{"a": "[[[\\"[[", "b": [{}]}', 3), -1);
  assert.equal(tooDeepAt('{"a": "\\\\", "b": [{}]}', 2), 18, 'an escaped backslash does not escape the quote');
  const b = mlp();
  const text = JSON.stringify(b['model.json']).replace('{', `{"deep": ${'['.repeat(1e6)}${']'.repeat(1e6)},`);
  b['model.json'] = text;
  await rejects(
    loadModel(b),
    'EJSON',
    /model\.json \(in-memory bundle\): JSON nested deeper than 64 arrays\/objects \(at character 72\)/,
  );
});

// The `webgrad` CLI through child_process (predict with .npy, .json and .png input; bench; errors),
// and its dependency-free readers: the PNG decoder (every row filter, grey/RGB/RGBA) and .npy parser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { RUNTIME, fixtureIndex, fixturesDir, readF32 } from './_helpers.mjs';
import { decodePng } from '../../js_runtime/src/cli/png.js';
import { parseNpy } from '../../js_runtime/src/cli/npy.js';

const run = promisify(execFile);
const CLI = join(RUNTIME, 'bin', 'webgrad.js');

/** Runs the CLI; resolves {code, stdout, stderr} whatever the exit code. */
async function cli(...args) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Encodes 8-bit pixels as a PNG, cycling the five row filters (so the decoder sees each one). */
function encodePng(width, height, channels, data) {
  const colour = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels];
  const stride = width * channels;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const filter = y % 5;
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const v = data[y * stride + x];
      const a = x >= channels ? data[y * stride + x - channels] : 0;
      const b = y > 0 ? data[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][filter];
      raw[y * (stride + 1) + 1 + x] = (v - pred) & 0xff;
    }
  }
  const chunk = (type, body) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    return Buffer.concat([len, Buffer.from(type, 'latin1'), body, Buffer.alloc(4)]); // CRC not checked
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colour, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('PNG decoder: grey, grey+alpha, RGB and RGBA with all five filters', () => {
  for (const channels of [1, 2, 3, 4]) {
    const [w, h] = [13, 11];
    const data = Uint8Array.from({ length: w * h * channels }, (_, i) => (i * 37 + (i >> 3) * 11) & 0xff);
    const img = decodePng(new Uint8Array(encodePng(w, h, channels, data)));
    assert.deepEqual([img.width, img.height, img.channels], [w, h, channels]);
    assert.deepEqual(Array.from(img.data), Array.from(data));
  }
  assert.throws(
    () => decodePng(new Uint8Array([1, 2, 3])),
    (e) => e.code === 'EPARSE' && /missing the PNG signature/.test(e.message),
  );
});

test('.npy parser: v1 header, float32/uint8/int32, C order; Fortran order refused', () => {
  const npy = (descr, shape, body, fortran = 'False') => {
    let header = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
    header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
    const head = Buffer.alloc(10);
    head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    head.writeUInt16LE(header.length, 8);
    return new Uint8Array(Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(body.buffer)]));
  };
  const f = parseNpy(npy('<f4', [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6])));
  assert.deepEqual([f.dtype, f.shape, Array.from(f.data)], ['float32', [2, 3], [1, 2, 3, 4, 5, 6]]);
  assert.equal(parseNpy(npy('|u1', [4], Uint8Array.from([1, 2, 3, 250]))).data[3], 250);
  assert.equal(parseNpy(npy('<i4', [1], Int32Array.from([-7]))).data[0], -7);
  assert.throws(
    () => parseNpy(npy('<f4', [1], new Float32Array(1), 'True')),
    (e) => e.code === 'EPARSE' && /Fortran/.test(e.message),
  );
  assert.throws(
    () => parseNpy(npy('<c8', [1], new Float32Array(2))),
    (e) => /dtype <c8 is not supported/.test(e.message),
  );
});

test('webgrad predict with .npy, .json and .png input agrees with Python', async () => {
  const dir = fixturesDir();
  const { digit } = fixtureIndex();
  const bundle = join(dir, digit.bundle);
  const probs = readF32(join(dir, digit.probs));
  const best = [...probs.keys()].sort((a, b) => probs[b] - probs[a] || a - b);
  const raw = JSON.parse(readFileSync(join(dir, digit.json), 'utf8'));
  const tmp = mkdtempSync(join(tmpdir(), 'webgrad-cli-'));
  const grey = join(tmp, 'digit.png');
  writeFileSync(grey, encodePng(28, 28, 1, Uint8Array.from(raw.data)));
  const rgba = join(tmp, 'digit-rgba.png');
  writeFileSync(rgba, encodePng(28, 28, 4, Uint8Array.from(raw.data.flatMap((v) => [v, v, v, 255]))));
  for (const input of [join(dir, digit.npy), join(dir, digit.json), grey, rgba]) {
    const r = await cli('predict', bundle, input, '--top-k', '3', '--json', '--backend', 'js');
    assert.equal(r.code, 0, r.stderr);
    const { backend, predictions } = JSON.parse(r.stdout);
    assert.equal(backend, 'js');
    assert.deepEqual(
      predictions[0].map((p) => p.index),
      best.slice(0, 3),
      input,
    );
    predictions[0].forEach((p) => assert.ok(Math.abs(p.probability - probs[p.index]) < 1e-4));
  }
  const text = await cli('predict', bundle, join(dir, digit.npy));
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^  1\\. ${best[0]}  \\d+\\.\\d\\d%  \\(class ${best[0]}\\)$`, 'm'));
});

test('webgrad bench prints latency percentiles and throughput', async () => {
  const bundle = join(fixturesDir(), 'mobilenet-int8');
  const r = await cli('bench', bundle, '--batch', '2', '--runs', '5', '--warmup', '1', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.runs, 5);
  assert.ok(out.p50 > 0 && out.p50 <= out.p90 && out.p90 <= out.p99);
  assert.ok(out.throughput > 0);
  const text = await cli('bench', bundle, '--batch', '1', '--runs', '3', '--warmup', '0');
  assert.match(text.stdout, /latency {2}p50 [\d.]+ ms {3}p90 [\d.]+ ms {3}p99 [\d.]+ ms/);
  assert.match(text.stdout, /throughput [\d.]+ examples\/s/);
});

/**
 * Asserts a CLI run failed with a WebgradError: exit code 2, its last stderr line `error [CODE]: ...` (a
 * GPU driver may log lines of its own before it), no stack trace.
 */
function failedWith(r, code, pattern) {
  assert.equal(r.code, 2, r.stderr);
  const last = r.stderr.trim().split('\n').at(-1);
  assert.match(last, new RegExp(`^error \\[${code}\\]: `), r.stderr);
  assert.match(last, pattern);
  assert.doesNotMatch(r.stderr, /^\s+at .*(\.m?js:\d+|node:internal)/m, 'no JS stack trace');
}

test('CLI errors: usage, missing bundle, unavailable backend, unreadable input', async () => {
  const usage = await cli();
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage:/);
  assert.equal((await cli('--help')).code, 0);
  failedWith(
    await cli('predict', join(fixturesDir(), 'nope'), 'x.npy'),
    'EMODEL_MISSING',
    /nope\/model\.json: missing model\.json/,
  );
  failedWith(
    await cli('bench', join(fixturesDir(), 'mlp-float32'), '--backend', 'webgpu'),
    'EBACKEND',
    /backend 'webgpu' is not available here/,
  );
  failedWith(
    await cli('predict', join(fixturesDir(), 'cnn-float32'), join(fixturesDir(), 'fixtures.json')),
    'EPARSE',
    /expected \{"data": \[\.\.\.\], "shape": \[\.\.\.\]\}/,
  );
  failedWith(
    await cli('bench', join(fixturesDir(), 'mlp-float32'), '--runs', '0'),
    'EARG',
    /--runs must be an integer >= 1, got 0/,
  );
});

test('CLI: a bad bundle is `error [CODE]: message`, exit code 2, also for JSON nested too deep (no RangeError)', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'webgrad-cli-bad-'));
  const good = readFileSync(join(fixturesDir(), 'mlp-float32', 'model.json'), 'utf8');
  const deep = join(tmp, 'deep');
  mkdirSync(deep);
  writeFileSync(join(deep, 'model.json'), good.replace('{', `{"deep": ${'['.repeat(100000)}${']'.repeat(100000)},`));
  const input = join(fixturesDir(), fixtureIndex().digit.npy);
  failedWith(await cli('predict', deep, input), 'EJSON', /model\.json: JSON nested deeper than 64 arrays\/objects/);
  const attr = join(tmp, 'attr');
  mkdirSync(attr);
  const doc = JSON.parse(good);
  doc.graph.nodes[0].attrs.constructor = 1;
  writeFileSync(join(attr, 'model.json'), JSON.stringify(doc));
  copyFileSync(join(fixturesDir(), 'mlp-float32', 'weights-000.bin'), join(attr, 'weights-000.bin'));
  failedWith(await cli('bench', attr, '--runs', '1'), 'EATTR', /MatMul has no attribute\(s\) \["constructor"\]/);
  // a deeply nested JSON input file: EPARSE, where Array.prototype.flat used to overflow the stack
  const deepInput = join(tmp, 'deep-input.json');
  writeFileSync(deepInput, `{"data": ${'['.repeat(100000)}1${']'.repeat(100000)}}`);
  failedWith(await cli('predict', join(fixturesDir(), 'mlp-float32'), deepInput), 'EPARSE', /nested deeper than 64/);
});

test('conformance: the op x backend matrix over the shared vectors, every op passing on js and wasm', async () => {
  const vectors = join(RUNTIME, '..', 'tests', 'vectors');
  const r = await cli('conformance', '--vectors', vectors, '--backend', 'js,wasm', '--json');
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  const ops = JSON.parse(readFileSync(join(RUNTIME, '..', 'exporter', 'opset.json'), 'utf8')).ops;
  assert.deepEqual(m.ops, Object.keys(ops), 'a row for every op of the op set');
  for (const b of ['js', 'wasm']) {
    for (const op of m.ops) {
      const c = m.cells[b][op];
      assert.equal(c.status, 'pass', `${b} ${op}: ${c.message}`);
      assert.ok(c.cases > 0 && c.worst <= 1, `${b} ${op}: ran its cases within tolerance`);
    }
  }
  const table = await cli('conformance', '--vectors', vectors, '--backend', 'js');
  assert.match(table.stdout, /^\| op \| js \|$/m);
  assert.match(table.stdout, /^\| Conv2D \| [0-9.e+-]+ \((<1|\d+)% tol\) \|$/m);
});

test('conformance: a wrong expected value fails its cell (exit 1, ✗, the case named); bad arguments are clear', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'webgrad-vectors-'));
  const doc = JSON.parse(readFileSync(join(RUNTIME, '..', 'tests', 'vectors', 'Relu.json'), 'utf8'));
  const bytes = Buffer.from(doc.cases[0].expected[0].data, 'base64');
  const f = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  f[0] += 1; // the kernels are right, so the "expected" output is now wrong
  doc.cases[0].expected[0].data = Buffer.from(f.buffer).toString('base64');
  writeFileSync(join(dir, 'Relu.json'), JSON.stringify(doc));
  const r = await cli('conformance', '--vectors', dir, '--backend', 'js');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\| Relu \| ✗ /);
  assert.match(r.stdout, new RegExp(`js Relu \\(fail\\): ${doc.cases[0].name}: element 0`));
  failedWith(await cli('conformance', '--vectors', join(dir, 'nope')), 'EARG', /cannot read the vector directory/);
  failedWith(
    await cli('conformance', '--vectors', dir, '--backend', 'js,nope'),
    'EBACKEND',
    /unknown backend "nope"; registered: .*js/,
  );
});

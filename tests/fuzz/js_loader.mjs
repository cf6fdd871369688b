// A seeded mutation fuzzer of bundles for the npm package's loadModel. Each case takes a bundle made by
// tests/node/make_fixtures.py (or a small synthetic one), mutates model.json (structurally: delete, set,
// transplant, duplicate, swap; textually: flip, cut, repeat, insert, nest deep) and the shards (flip,
// truncate, append, with or without fixing the checksums), loads it and, when it loads, runs predict.
// Every outcome must be a valid load (then predict works or fails with a WebgradError) or a WebgradError
// with a code; any other exception, or a load that does not settle, is a finding.
//
//   node tests/fuzz/js_loader.mjs --minutes N [--seed S] [--cases N] [--out DIR]
//   node tests/fuzz/js_loader.mjs --seed S --case K        # replay one case, printing what it did
//
// Prints cases/s, findings and peak RSS. Case K of seed S is the same on every run (its own PRNG).

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebgradError, loadModel } from '../../js_runtime/src/index.js';
import { bundleMap } from '../node/_helpers.mjs';
import { matmulBundle } from '../node/_synthetic.mjs';

/** The fixture bundles the cases start from (small ones: many cases per second). */
export const BASES = ['mlp-float32', 'mlp-float16', 'mlp-int8', 'cnn-int8', 'mobilenet-float16'];

/** Limits of every fuzzed load: a mutated shape may ask for any amount of memory. */
const LIMITS = { maxArenaBytes: 64 * 2 ** 20, maxBytes: 64 * 2 ** 20, maxModelJsonBytes: 16 * 2 ** 20 };

/** A load or predict that has not settled after this long is a hang. */
const HANG_MS = 20000;

/** mulberry32: a small, fast PRNG of 32-bit state. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

/** Every [path, value] of a parsed JSON document, containers included. */
function walk(doc) {
  const out = [];
  const visit = (v, path) => {
    out.push([path, v]);
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i]));
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) visit(v[k], [...path, k]);
  };
  visit(doc, []);
  return out;
}

/** The container holding `path` and the last key. */
function parentOf(doc, path) {
  let v = doc;
  for (const k of path.slice(0, -1)) v = v[k];
  return [v, path.at(-1)];
}

const ODD_VALUES = [
  null,
  true,
  false,
  0,
  -1,
  1,
  2,
  3,
  0.5,
  -0.0,
  1e-45,
  1e38,
  3.5e38,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  -(2 ** 31),
  1e300,
  '',
  'x',
  'float32',
  'int8',
  'float16',
  'int32',
  'uint8',
  'float64',
  'constructor',
  '__proto__',
  'weights-000.bin',
  '../model.json',
  [],
  [null],
  [0],
  [1, 1],
  [-1],
  [65536, 65536],
  {},
  { scheme: 'int8_symmetric', axis: 0, scales: [1] },
];

/** One structural mutation of parsed model.json; returns its description. */
function mutateJson(doc, r) {
  const nodes = walk(doc).filter(([p]) => p.length > 0);
  const [path, value] = r.pick(nodes);
  const [parent, key] = parentOf(doc, path);
  const where = path.join('.');
  const kind = r.int(8);
  if (kind === 0) {
    if (Array.isArray(parent)) parent.splice(key, 1);
    else delete parent[key];
    return `delete ${where}`;
  }
  if (kind === 1) {
    const v = r.pick(ODD_VALUES);
    parent[key] = structuredClone(v);
    return `set ${where} = ${JSON.stringify(v)}`;
  }
  if (kind === 2 && typeof value === 'number') {
    const v = r.pick([
      value + 1,
      value - 1,
      value * 2,
      -value,
      value * 1000,
      Math.floor(value / 2),
      value + 16,
      value + 0.5,
    ]);
    parent[key] = v;
    return `set ${where} = ${v} (was ${value})`;
  }
  if (kind === 3) {
    // transplant another value of the same document (a name, a shape, a whole node)
    const [from, v] = r.pick(nodes);
    parent[key] = structuredClone(v);
    return `set ${where} = copy of ${from.join('.')}`;
  }
  if (kind === 4 && Array.isArray(value) && value.length) {
    const i = r.int(value.length);
    value.splice(r.int(value.length + 1), 0, structuredClone(value[i]));
    return `duplicate ${where}[${i}]`;
  }
  if (kind === 5 && Array.isArray(value) && value.length > 1) {
    const i = r.int(value.length);
    const j = r.int(value.length);
    [value[i], value[j]] = [value[j], value[i]];
    return `swap ${where}[${i}] and [${j}]`;
  }
  if (kind === 6 && value && typeof value === 'object' && !Array.isArray(value)) {
    const k = r.pick(['extra', 'constructor', '__proto__', 'toString', 'axis', 'shape', 'dtype', 'name']);
    value[k] = structuredClone(r.pick(ODD_VALUES));
    return `add key ${k} to ${where}`;
  }
  if (kind === 7 && typeof value === 'string') {
    const v = r.pick([value + 'x', value.slice(1), value.toUpperCase(), `${value}/${value}`, value.repeat(3)]);
    parent[key] = v;
    return `set ${where} = ${JSON.stringify(v)}`;
  }
  parent[key] = structuredClone(r.pick(ODD_VALUES));
  return `set ${where} = odd`;
}

/** One textual mutation of the model.json text; returns [text, description]. */
function mutateText(text, r) {
  const at = r.int(text.length + 1);
  const kind = r.int(6);
  if (kind === 0)
    return [text.slice(0, at) + String.fromCharCode(r.int(128)) + text.slice(at + 1), `replace char ${at}`];
  if (kind === 1) return [text.slice(0, at), `truncate at ${at}`];
  if (kind === 2) {
    const n = 1 + r.int(64);
    return [text.slice(0, at) + text.slice(at + n), `cut ${n} chars at ${at}`];
  }
  if (kind === 3) {
    const n = 1 + r.int(64);
    return [text.slice(0, at) + text.slice(at, at + n) + text.slice(at), `repeat ${n} chars at ${at}`];
  }
  if (kind === 4) {
    const s = r.pick([
      '\ufeff',
      '\u0000',
      '\ud800',
      ',',
      '"',
      '1e400',
      '-0',
      'NaN',
      '[',
      '{',
      '}',
      '\\u0000',
      ' ',
      '\n',
      '9'.repeat(400),
    ]);
    return [text.slice(0, at) + s + text.slice(at), `insert ${JSON.stringify(s)} at ${at}`];
  }
  const digits = /\d+/g;
  const found = [...text.matchAll(digits)];
  if (!found.length) return [text, 'no-op'];
  const m = r.pick(found);
  const deep = 1 + r.int(20000); // deep nesting, in place of a number
  const v = r.pick([
    '0',
    '-1',
    '1e400',
    '1.5',
    '4294967296',
    '9007199254740993',
    '1e-400',
    `${m[0]}0`,
    `${'['.repeat(deep)}0${']'.repeat(deep)}`,
  ]);
  return [
    text.slice(0, m.index) + v + text.slice(m.index + m[0].length),
    `number at ${m.index}: ${m[0]} -> ${v.length > 40 ? `${v.slice(0, 20)}... (${v.length} chars)` : v}`,
  ];
}

/** One mutation of a shard's bytes; returns [bytes, description]. */
function mutateShard(bytes, r) {
  const kind = r.int(4);
  const at = r.int(bytes.length + 1);
  if (kind === 0 && bytes.length) {
    const out = bytes.slice();
    const i = Math.min(at, bytes.length - 1);
    out[i] = r.pick([0xff, 0x7f, 0x80, 0x00, out[i] ^ (1 << r.int(8))]);
    return [out, `byte ${i} changed`];
  }
  if (kind === 1) return [bytes.slice(0, at), `truncate to ${at}`];
  if (kind === 2) {
    const out = new Uint8Array(bytes.length + 1 + r.int(64));
    out.set(bytes);
    return [out, `append ${out.length - bytes.length} bytes`];
  }
  // NaN/Inf float32 at an aligned offset
  const out = bytes.slice();
  const i = Math.floor(Math.min(at, Math.max(0, bytes.length - 4)) / 4) * 4;
  if (out.length >= 4) new DataView(out.buffer).setUint32(i, r.pick([0x7fc00000, 0x7f800000, 0xff800000]), true);
  return [out, `non-finite at ${i}`];
}

/** Rewrites every shard's byteLength and sha256 in the parsed doc from the files (when the doc allows). */
function rehash(doc, files) {
  const shards = doc?.weights?.shards;
  if (!Array.isArray(shards)) return;
  for (const s of shards) {
    const bytes = s && typeof s.file === 'string' ? files[s.file] : undefined;
    if (!(bytes instanceof Uint8Array)) continue;
    s.byteLength = bytes.length;
    s.sha256 = createHash('sha256').update(bytes).digest('hex');
  }
}

/**
 * Case `index` of `seed`: the mutated bundle (model.json as bytes) and what was done to it.
 * @param {Record<string, Record<string, unknown>>} bases name -> bundle map (model.json parsed)
 */
export function makeCase(bases, seed, index) {
  const r = prng((seed * 0x9e3779b1 + index * 0x85ebca6b) >>> 0);
  const base = r.pick(Object.keys(bases));
  const files = { ...bases[base] };
  const doc = structuredClone(files['model.json']);
  const did = [`base ${base}`];
  for (const [f, v] of Object.entries(files)) if (v instanceof Uint8Array) files[f] = v.slice();
  const structural = 1 + r.int(3);
  for (let k = 0; k < structural; k++) if (r.chance(0.8)) did.push(mutateJson(doc, r));
  if (r.chance(0.4)) {
    const names = Object.keys(files).filter((f) => f !== 'model.json');
    if (names.length) {
      const f = r.pick(names);
      const [bytes, what] = mutateShard(files[f], r);
      files[f] = bytes;
      did.push(`${f}: ${what}`);
    }
  }
  if (r.chance(0.7)) {
    rehash(doc, files);
    did.push('rehash');
  }
  let text = JSON.stringify(doc);
  if (r.chance(0.35)) {
    const [t, what] = mutateText(text, r);
    text = t;
    did.push(`text: ${what}`);
  }
  files['model.json'] = new TextEncoder().encode(text);
  return { files, did, backend: r.pick(['js', 'wasm']) };
}

/** An input for each signature entry (null dims -> 1..2), values in [0, 4). */
function inputsFor(model, r) {
  return model.signature.inputs.map((s) => {
    const shape = s.shape.map((d) => (d === null ? 1 + r.int(2) : d));
    const n = shape.reduce((a, b) => a * b, 1);
    const Storage = {
      float32: Float32Array,
      float16: Uint16Array,
      int32: Int32Array,
      int8: Int8Array,
      uint8: Uint8Array,
    }[s.dtype];
    const data = new Storage(Math.min(n, 1 << 22)).map(() => (s.dtype === 'float16' ? 0x3c00 : r.int(4)));
    return { data, shape, dtype: s.dtype };
  });
}

/** Rejects after `ms` with a 'hang' marker (the timer is cleared when `promise` settles). */
function guard(promise, ms, what) {
  let timer;
  const hang = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`${what} did not settle in ${ms} ms`), { hang: true })),
      ms,
    );
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/**
 * Runs one case; returns null when its outcome is allowed, else a finding {did, error}.
 * @returns {Promise<{outcome: string, finding: null | {did: string[], error: string}}>}
 */
export async function runCase(bases, seed, index) {
  const { files, did, backend } = makeCase(bases, seed, index);
  const r = prng(index ^ 0x5bd1e995);
  let model;
  try {
    model = await guard(loadModel(files, { backend, ...LIMITS }), HANG_MS, 'loadModel');
  } catch (e) {
    if (e instanceof WebgradError && typeof e.code === 'string') return { outcome: e.code, finding: null };
    return { outcome: 'finding', finding: { did, backend, files, error: e?.stack ?? String(e) } };
  }
  try {
    const inputs = inputsFor(model, r);
    const out = await guard(model.predict(inputs.length === 1 ? inputs[0] : inputs), HANG_MS, 'predict');
    for (const t of out instanceof Object && 'dataSync' in out ? [out] : Object.values(out)) await t.data();
    return { outcome: 'valid', finding: null };
  } catch (e) {
    if (e instanceof WebgradError && typeof e.code === 'string')
      return { outcome: `valid, predict ${e.code}`, finding: null };
    return { outcome: 'finding', finding: { did: [...did, 'predict'], backend, files, error: e?.stack ?? String(e) } };
  } finally {
    model.dispose();
  }
}

/**
 * The bases: the Python-made fixtures when they can be made, plus a synthetic MatMul bundle.
 * @returns {{bases: Record<string, Record<string, unknown>>, note: string}}
 */
export function loadBases() {
  const bases = { 'synthetic-matmul': matmulBundle(6, 5) };
  try {
    for (const name of BASES) bases[name] = bundleMap(name);
    return { bases, note: `bases: ${Object.keys(bases).join(', ')}` };
  } catch (e) {
    return {
      bases,
      note: `the Python fixtures could not be made (${String(e.message).split('\n')[0]}); synthetic base only`,
    };
  }
}

/**
 * Runs cases `from`.. until `cases` are done or `deadline` (ms since epoch) passes.
 * @returns {Promise<{cases: number, findings: object[], outcomes: Record<string, number>, peakRss: number}>}
 */
export async function fuzz({ bases, seed, cases = Infinity, deadline = Infinity, from = 0, onFinding }) {
  const findings = [];
  const outcomes = {};
  let peakRss = process.memoryUsage().rss;
  let n = 0;
  for (; n < cases && Date.now() < deadline; n++) {
    const { outcome, finding } = await runCase(bases, seed, from + n);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (finding) {
      findings.push({ seed, index: from + n, ...finding });
      onFinding?.(findings.at(-1));
    }
    if (n % 50 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { cases: n, findings, outcomes, peakRss };
}

async function main(argv) {
  const arg = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const seed = Number(arg('seed', Date.now() % 100000));
  const { bases, note } = loadBases();
  console.log(`js loader fuzz: seed ${seed}; ${note}`);
  if (arg('case') !== undefined) {
    const index = Number(arg('case'));
    const { did, backend } = makeCase(bases, seed, index);
    console.log(`case ${index} (${backend}): ${did.join('; ')}`);
    const { outcome, finding } = await runCase(bases, seed, index);
    console.log(finding ? `FINDING: ${finding.error}` : `outcome: ${outcome}`);
    process.exit(finding ? 1 : 0);
  }
  const minutes = Number(arg('minutes', 1));
  const cases = Number(arg('cases', Infinity));
  const out = arg('out');
  const start = Date.now();
  const result = await fuzz({
    bases,
    seed,
    cases,
    deadline: start + minutes * 60000,
    onFinding: (f) => {
      console.log(
        `FINDING seed ${f.seed} case ${f.index} (${f.backend}): ${f.did.join('; ')}\n  ${f.error.split('\n').slice(0, 3).join('\n  ')}`,
      );
      if (out) {
        mkdirSync(out, { recursive: true });
        const files = Object.fromEntries(Object.entries(f.files).map(([k, v]) => [k, Buffer.from(v).toString('hex')]));
        writeFileSync(
          join(out, `seed${f.seed}-case${f.index}.json`),
          JSON.stringify({ did: f.did, backend: f.backend, error: f.error, files_hex: files }),
        );
      }
    },
  });
  const secs = (Date.now() - start) / 1000;
  const top = Object.entries(result.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    `${result.cases} cases in ${secs.toFixed(1)} s (${(result.cases / secs).toFixed(1)} cases/s); findings: ${result.findings.length}; peak RSS ${(result.peakRss / 2 ** 20).toFixed(0)} MiB`,
  );
  console.log(`outcomes: ${top}`);
  process.exit(result.findings.length ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));

// Helpers shared by the node test files (not a test file itself: node --test only runs *.test.mjs).

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeVectorTensor } from '../../js_runtime/src/cli/conformance.js';
import { alignUp } from '../../js_runtime/src/arena.js';
import { itemSize, viewOf } from '../../js_runtime/src/dtypes.js';
import { sizeOf } from '../../js_runtime/src/shapes.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RUNTIME = join(ROOT, 'js_runtime');
export const VECTOR_DIR = join(ROOT, 'tests', 'vectors');

/** Decodes a vector tensor {dtype, shape, data (base64)} into {dtype, shape, data: TypedArray}. */
export function decodeTensor(t) {
  const x = decodeVectorTensor(t);
  return { dtype: x.dtype, shape: x.shape, data: x.dataSync() };
}

/** Every vector file, parsed, sorted by op name. */
export function loadVectors() {
  return readdirSync(VECTOR_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(VECTOR_DIR, f), 'utf8')));
}

/** |got - want| <= atol + rtol |want|; NaN must be NaN and Inf the same Inf. */
export function closeEnough(got, want, tol) {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= tol.atol + tol.rtol * Math.abs(want);
}

/** The first element where `got` and `want` differ beyond `tol`, as a message; null when all agree. */
export function firstMismatch(got, want, tol) {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    if (!closeEnough(got[i], want[i], tol)) return `element ${i}: got ${got[i]}, want ${want[i]}`;
  }
  return null;
}

/** The largest |got - want| over finite elements. */
export function maxAbsDiff(got, want) {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (d > worst) worst = d;
  }
  return worst;
}

/** A little-endian float32 .bin file as a Float32Array. */
export function readF32(path) {
  const buf = readFileSync(path);
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';

/** Hash of everything the Python fixtures depend on: the script and the Python sources. */
function fixtureHash() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory() && e.name !== '__pycache__') walk(p);
      else if (e.isFile() && (e.name.endsWith('.py') || e.name.endsWith('.json')))
        h.update(p.slice(ROOT.length)).update(readFileSync(p));
    }
  };
  h.update(readFileSync(join(ROOT, 'tests', 'node', 'make_fixtures.py')));
  walk(join(ROOT, 'authoring'));
  walk(join(ROOT, 'exporter'));
  return h.digest('hex').slice(0, 16);
}

let cached = null;

/**
 * The directory of the Python-made fixtures (tests/node/make_fixtures.py), generated once into the
 * temp dir and reused while the Python sources are unchanged. Safe when test files race: each writes
 * its own directory and renames it into place.
 */
export function fixturesDir() {
  if (cached) return cached;
  const dir = join(tmpdir(), `webgrad-node-fixtures-${fixtureHash()}`);
  if (!existsSync(join(dir, 'fixtures.json'))) {
    const work = `${dir}.tmp-${process.pid}`;
    mkdirSync(work, { recursive: true });
    const python = process.env.PYTHON || 'python3';
    const r = spawnSync(python, [join(ROOT, 'tests', 'node', 'make_fixtures.py'), work], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`make_fixtures.py failed (${python}): ${r.error ?? ''}${r.stderr}`);
    try {
      renameSync(work, dir);
    } catch {
      rmSync(work, { recursive: true, force: true }); // another process won the race
    }
  }
  cached = dir;
  return dir;
}

/** The fixtures' index (fixtures.json). */
export function fixtureIndex() {
  return JSON.parse(readFileSync(join(fixturesDir(), 'fixtures.json'), 'utf8'));
}

/** A fixture bundle as an in-memory map: {'model.json': parsed object, 'weights-000.bin': Uint8Array, ...}. */
export function bundleMap(name) {
  const dir = join(fixturesDir(), name);
  const map = {};
  for (const f of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, f));
    map[f] = f === 'model.json' ? JSON.parse(bytes.toString('utf8')) : new Uint8Array(bytes);
  }
  return map;
}

/** Lower-case hex SHA-256 of bytes. */
export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Places `tensors` (inputs with data, then the output as {shape, dtype}; null for an absent input) in
 * one arena of `backend`, so kernels can be called directly; returns their views and the arena.
 * @param {{allocateArena: (n: number) => {buffer: ArrayBuffer, byteOffset: number}}} backend
 * @param {({shape: number[], dtype: string, data?: ArrayLike<number>} | null)[]} tensors
 */
export function place(backend, tensors) {
  const sizes = tensors.map((t) => (t === null ? 0 : alignUp(Math.max(sizeOf(t.shape) * itemSize(t.dtype), 4))));
  const arena = backend.allocateArena(sizes.reduce((a, b) => a + b, 0));
  let at = arena.byteOffset;
  const views = tensors.map((t, i) => {
    if (t === null) return null;
    const view = { data: viewOf(t.dtype, arena.buffer, at, sizeOf(t.shape)), shape: t.shape, dtype: t.dtype };
    if (t.data) view.data.set(t.data);
    at += sizes[i];
    return view;
  });
  return { views, arena };
}

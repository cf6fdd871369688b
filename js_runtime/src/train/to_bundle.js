/**
 * A trained model back to a bundle: `toBundle` builds the in-memory map (model.json text and 4 MiB
 * weight shards, as the Python exporter cuts them) from the loaded model.json with the current weights,
 * the optimizer state (`training.state`: iterations and slot tensors in the weight table), fresh
 * checksums and a self-test recomputed on the model's backend. `quantize` ('float16' / 'int8', the
 * Python exporter's rules) writes an inference bundle instead: formatVersion 1, no training section.
 * `saveBundle` writes a map to a Node directory (weights first, model.json last; a non-empty
 * directory that is not a bundle is refused, as the Python exporter does).
 * @module
 */

import { WebgradError } from '../errors.js';
import { floatToHalf } from '../dtypes.js';
import { sha256Hex } from '../loader/sha256.js';
import { base64 } from '../loader/encoded.js';

/** @typedef {import('../loader/manifest.js').Manifest} Manifest */
/** @typedef {import('../loader/manifest.js').TensorJson} TensorJson */
/** @typedef {import('./optimizers.js').Optimizer} Optimizer */
/** @typedef {Record<string, string | Uint8Array>} BundleMap `{'model.json': string, 'weights-000.bin': Uint8Array, ...}` */

const ALIGN = 16;
/** Shard size of the Python exporter (`DEFAULT_SHARD_BYTES`). */
const SHARD_BYTES = 4 * 1024 * 1024;
const FLOAT16_MAX = 65504;
const SHARD_RE = /^weights-[0-9]{3,}\.bin$/;
/** The file name the Python exporter gives a text bundle's tokenizer. */
const TOKENIZER_FILE = 'tokenizer.json';

/** @param {ArrayBufferView} v */
const bytesOf = (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/**
 * A float32 tensor stored as the Python exporter's `quantize_tensor` would (or as is: quantization null).
 * @param {Float32Array} w @param {readonly number[]} shape @param {'float16' | 'int8'} scheme
 * @returns {{data: ArrayBufferView, dtype: string, quantization: object | null}}
 */
function quantizeTensor(w, shape, scheme) {
  if (scheme === 'float16') {
    if (w.length < 2 || w.some((x) => !(Math.abs(x) <= FLOAT16_MAX)))
      return { data: w, dtype: 'float32', quantization: null };
    return { data: Uint16Array.from(w, floatToHalf), dtype: 'float16', quantization: { scheme: 'float16' } };
  }
  if (shape.length < 2 || w.length === 0) return { data: w, dtype: 'float32', quantization: null };
  const c = shape[shape.length - 1];
  const peak = new Float32Array(c);
  for (let i = 0; i < w.length; i++) peak[i % c] = Math.max(peak[i % c], Math.abs(w[i]));
  const scales = Float32Array.from(peak, (p) => (p > 0 ? p / Math.fround(127) : 1));
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const x = w[i] / scales[i % c];
    let r = Math.round(x);
    if (Math.abs(x % 1) === 0.5 && r % 2) r -= 1; // half to even, as np.rint
    q[i] = Math.max(-127, Math.min(127, r));
  }
  return {
    data: q,
    dtype: 'int8',
    quantization: { scheme: 'int8_symmetric', axis: shape.length - 1, scales: [...scales] },
  };
}

/**
 * Builds the bundle map (see the module doc).
 * @param {{manifest: Manifest, weight: (name: string) => Float32Array | Int32Array, optimizer: Optimizer,
 *   selftestOutputs: Float32Array[], quantize: 'float16' | 'int8' | null, tokenizerBytes?: Uint8Array | null}} parts
 *   `weight`: a weight's current data; `tokenizerBytes`: a text bundle's tokenizer.json, written back unchanged
 * @returns {Promise<BundleMap>}
 */
export async function toBundle({ manifest, weight, optimizer, selftestOutputs, quantize, tokenizerBytes = null }) {
  if (quantize !== null && quantize !== 'float16' && quantize !== 'int8')
    throw new WebgradError(
      'EARG',
      `toBundle: quantize must be 'float16', 'int8' or null, got ${JSON.stringify(quantize)}`,
    );
  const training = /** @type {NonNullable<Manifest['training']>} */ (manifest.training);
  const oldSlots = new Set(Object.values(training.state.slots).flatMap((s) => Object.values(s)));
  /** @type {{name: string, shape: number[], data: ArrayBufferView, dtype: string, quantization: object | null}[]} */
  const entries = [];
  const shapes = new Map();
  for (const t of manifest.weights.tensors) {
    if (oldSlots.has(t.name)) continue;
    const data = weight(t.name);
    shapes.set(t.name, t.shape);
    const stored =
      quantize && data instanceof Float32Array
        ? quantizeTensor(data, t.shape, quantize)
        : { data, dtype: data instanceof Float32Array ? 'float32' : 'int32', quantization: null };
    entries.push({ name: t.name, shape: [...t.shape], ...stored });
  }
  /** @type {Record<string, Record<string, string>>} */
  const slots = {};
  if (!quantize) {
    const taken = new Set(entries.map((e) => e.name));
    for (const [w, s] of optimizer.slots) {
      for (const [slot, data] of Object.entries(s)) {
        let name = training.state.slots[w]?.[slot] ?? `opt/${w}/${slot}`;
        for (let i = 1; taken.has(name); i++) name = `opt/${w}/${slot}_${i}`;
        taken.add(name);
        (slots[w] ??= {})[slot] = name;
        entries.push({ name, shape: [...shapes.get(w)], data, dtype: 'float32', quantization: null });
      }
    }
  }
  // one byte stream, tensors 16-byte aligned, cut into shards
  let total = 0;
  /** @type {TensorJson[]} */
  const tensors = entries.map((e) => {
    const offset = total;
    total += Math.ceil(e.data.byteLength / ALIGN) * ALIGN;
    /** @type {any} */
    const t = { name: e.name, dtype: e.dtype, shape: e.shape, offset, byteLength: e.data.byteLength };
    if (e.quantization) t.quantization = e.quantization;
    return t;
  });
  const stream = new Uint8Array(total);
  entries.forEach((e, i) => stream.set(bytesOf(e.data), tensors[i].offset));
  /** @type {BundleMap} */
  const map = {};
  const shards = [];
  for (let start = 0, k = 0; start < total; start += SHARD_BYTES, k++) {
    const file = `weights-${String(k).padStart(3, '0')}.bin`;
    const part = stream.slice(start, Math.min(total, start + SHARD_BYTES));
    map[file] = part;
    shards.push({ file, byteLength: part.byteLength, sha256: await sha256Hex(part) });
  }
  /** @type {Record<string, unknown>} */
  const out = {
    ...manifest,
    // 3: has a tokenizer (and may be trainable); else 2 trainable, 1 inference
    formatVersion: manifest.tokenizer ? 3 : quantize ? 1 : 2,
    weights: { shards, tensors },
    selftest: {
      ...manifest.selftest,
      outputs: manifest.selftest.outputs.map((t, k) => ({ ...t, data: base64(bytesOf(selftestOutputs[k])) })),
    },
  };
  if (quantize) {
    delete out.training;
    // a quantized bundle differs from the float32 weights by the quantization error: the Python
    // exporter's self-test tolerance for quantized bundles is kept only when it is looser
    out.selftest = {
      .../** @type {object} */ (out.selftest),
      tolerance: loosened(manifest.selftest.tolerance, quantize),
    };
  } else out.training = { ...training, state: { iterations: optimizer.iterations, slots } };
  if (manifest.tokenizer) {
    if (!tokenizerBytes)
      throw new WebgradError('EARG', `toBundle: the tokenizer file ${manifest.tokenizer.file} was not kept at load`);
    map[manifest.tokenizer.file] = tokenizerBytes;
  }
  map['model.json'] = JSON.stringify(out);
  return map;
}

/**
 * @param {{rtol: number, atol: number}} tol @param {'float16' | 'int8'} scheme
 */
function loosened(tol, scheme) {
  const floor = scheme === 'int8' ? { rtol: 0.1, atol: 0.05 } : { rtol: 1e-2, atol: 1e-3 };
  return { rtol: Math.max(tol.rtol, floor.rtol), atol: Math.max(tol.atol, floor.atol) };
}

/**
 * Writes a bundle map (from `toBundle`) to directory `dir` (Node.js): created if missing; a directory
 * that already holds other files than a bundle's (model.json, weights-NNN.bin, tokenizer.json) is refused with EARG and
 * left untouched. Each file is written beside and renamed into place, shards first and model.json last
 * (a reader that checks checksums never takes a half-written bundle); shards of the old bundle the new
 * one does not list are removed.
 * @param {BundleMap} map
 * @param {string} dir
 * @returns {Promise<void>}
 * @example
 * await saveBundle(await model.toBundle(), 'bundles/mnist-finetuned');
 */
export async function saveBundle(map, dir) {
  if (map === null || typeof map !== 'object' || typeof map['model.json'] !== 'string')
    throw new WebgradError(
      'EARG',
      "saveBundle: expected a bundle map from model.toBundle() ({'model.json': string, ...})",
    );
  if (typeof dir !== 'string' || !dir) throw new WebgradError('EARG', 'saveBundle: dir must be a directory path');
  const ours = (/** @type {string} */ name) => SHARD_RE.test(name) || name === TOKENIZER_FILE;
  for (const [name, value] of Object.entries(map)) {
    if (name !== 'model.json' && !(ours(name) && value instanceof Uint8Array))
      throw new WebgradError(
        'EARG',
        `saveBundle: '${name}' is not a bundle file (model.json, weights-NNN.bin or ${TOKENIZER_FILE} as Uint8Array)`,
      );
  }
  const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
  const path = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:path');
  /** @type {string[]} */
  let existing = [];
  try {
    existing = await fs.readdir(dir);
  } catch (e) {
    if (/** @type {{code?: string}} */ (e).code !== 'ENOENT')
      throw new WebgradError('EARG', `saveBundle: cannot read ${dir}: ${/** @type {Error} */ (e).message}`, {
        cause: e,
      });
  }
  const foreign = existing.filter((f) => f !== 'model.json' && !ours(f));
  if (foreign.length)
    throw new WebgradError(
      'EARG',
      `saveBundle: ${dir} is not empty and is not a webgrad bundle (it holds ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', ...' : ''}); choose an empty or new directory`,
    );
  await fs.mkdir(dir, { recursive: true });
  for (const [name, value] of Object.entries(map)) {
    if (name === 'model.json') continue;
    const tmp = path.join(dir, `.${name}.tmp`);
    await fs.writeFile(tmp, /** @type {Uint8Array} */ (value));
    await fs.rename(tmp, path.join(dir, name));
  }
  const tmp = path.join(dir, '.model.json.tmp');
  await fs.writeFile(tmp, /** @type {string} */ (map['model.json']));
  await fs.rename(tmp, path.join(dir, 'model.json'));
  for (const f of existing) if (ours(f) && !(f in map)) await fs.rm(path.join(dir, f), { force: true });
}

/**
 * `classify`: raw input (e.g. pixels 0-255) -> the bundle's preprocessing -> predict -> top-k labels.
 * Preprocessing comes from `metadata.preprocessing`: `x * scale`, then `(x - mean) / std` when given
 * (numbers, or one per channel along the last axis).
 * @module
 */

import { WebgradError } from './errors.js';
import { dtypeOf } from './dtypes.js';
import { sizeOf } from './shapes.js';
import { Tensor, describe, toTensor } from './tensor.js';

/** @typedef {import('./executor.js').TensorSpec} TensorSpec */
/** @typedef {{label: string, index: number, probability: number}} Prediction */
/** @typedef {{scale?: number, mean?: number | number[], std?: number | number[]}} Preprocessing */

/**
 * The raw classify input as a float32 tensor with a batch dim, preprocessed. A bare typed array or
 * flat array (no shape) is taken as examples of the signature's per-example shape.
 * @param {unknown} x Tensor, {data, shape}, typed array or (nested) number array; any numeric dtype
 * @param {TensorSpec} spec the model's (single) input
 * @param {Preprocessing | undefined} pre
 * @returns {Tensor}
 */
export function preprocessInput(x, spec, pre) {
  if (spec.dtype !== 'float32')
    throw new WebgradError(
      'EINPUT',
      `classify: input '${spec.name}' is ${spec.dtype}; classify takes float image/feature inputs (use predict)`,
    );
  const perExample = spec.shape.slice(1).map((d) => d ?? 0);
  // canvas pixels (ImageData.data) are a Uint8ClampedArray: the same bytes as uint8
  if (x instanceof Uint8ClampedArray) x = new Uint8Array(x.buffer, x.byteOffset, x.length);
  else if (x && typeof x === 'object' && 'data' in x && x.data instanceof Uint8ClampedArray && !(x instanceof Tensor)) {
    const d = x.data;
    x = { ...x, data: new Uint8Array(d.buffer, d.byteOffset, d.length) };
  }
  let t;
  if (dtypeOf(x) !== undefined || (Array.isArray(x) && typeof x[0] === 'number')) {
    const n = /** @type {ArrayLike<number>} */ (x).length;
    const each = sizeOf(perExample);
    if (!each || n % each)
      throw new WebgradError(
        'ESHAPE',
        `classify: ${n} values do not make whole examples of shape [${perExample.join(', ')}]`,
      );
    t = toTensor({ data: /** @type {any} */ (x), shape: [n / each, ...perExample] }, 'classify input');
  } else if (x instanceof Tensor || Array.isArray(x) || (x !== null && typeof x === 'object' && 'data' in x)) {
    t = toTensor(Array.isArray(x) ? { data: x } : /** @type {any} */ (x), 'classify input');
  } else {
    throw new WebgradError(
      'EINPUT',
      `classify: expected a Tensor, {data, shape}, a typed array or an array, got ${describe(x)}`,
    );
  }
  const shape = t.shape.length === spec.shape.length - 1 ? [1, ...t.shape] : [...t.shape];
  const raw = t.dataSync();
  const out = new Float32Array(raw.length);
  const scale = pre?.scale ?? 1;
  const c = shape.at(-1) ?? 1;
  const mean = perChannel(pre?.mean ?? 0, 'mean', c, spec);
  const std = perChannel(pre?.std ?? 1, 'std', c, spec);
  for (let i = 0; i < raw.length; i++) out[i] = (raw[i] * scale - mean[i % c]) / std[i % c];
  return new Tensor(out, shape, 'float32');
}

/**
 * A text, or an array of texts, as the int32 ids [batch, sequenceLength] of a text model's input. EINPUT
 * for anything but a string or a non-empty array of strings (naming the first bad entry).
 * @param {unknown} x
 * @param {import('./text/tokenizer.js').Tokenizer} tokenizer
 * @param {TensorSpec} spec the model's (single) input, int32 [null, sequenceLength]
 * @returns {Tensor}
 */
export function textInput(x, tokenizer, spec) {
  const texts = typeof x === 'string' ? [x] : Array.isArray(x) ? x : null;
  if (!texts)
    throw new WebgradError(
      'EINPUT',
      `classify: this is a text model (input '${spec.name}' takes token ids); expected a string or an array of strings, got ${describe(x)}`,
    );
  if (!texts.length) throw new WebgradError('EINPUT', 'classify: an empty batch (an array of no texts)');
  const bad = texts.findIndex((t) => typeof t !== 'string');
  if (bad >= 0)
    throw new WebgradError('EINPUT', `classify: texts[${bad}] is ${describe(texts[bad])}, expected a string`);
  const length = /** @type {number} */ (spec.shape[1]);
  const ids = new Int32Array(texts.length * length);
  texts.forEach((t, i) => ids.set(tokenizer.encode(t).ids, i * length));
  return new Tensor(ids, [texts.length, length], 'int32');
}

/**
 * A `mean` or `std` of the preprocessing as one value per channel (`c`: the input's last dim). Load
 * checked an array's length against the signature's last dim; when that dim is unknown (null), it is
 * checked here against the input's: 1 or `c` values, else EINPUT. (When the signature's dim is known
 * and the input's differs, the input's shape is what is wrong, and `predict`'s shape check says so.)
 * @param {number | number[]} p
 * @param {'mean' | 'std'} name
 * @param {number} c
 * @param {TensorSpec} spec
 * @returns {number[]} `c` values
 */
function perChannel(p, name, c, spec) {
  if (typeof p === 'number' || p.length === 1) return new Array(c).fill(typeof p === 'number' ? p : p[0]);
  if (p.length !== c && spec.shape.at(-1) == null) {
    throw new WebgradError(
      'EINPUT',
      `classify: metadata.preprocessing.${name} has ${p.length} values, but input '${spec.name}' has ${c} channels (its last dim, unknown until now): expected 1 or ${c} values`,
    );
  }
  return p;
}

/**
 * Top-k predictions per example from a [batch, classes] output.
 * @param {Tensor} output
 * @param {boolean} isProbability whether the output already is probabilities (else softmax is applied)
 * @param {readonly string[] | undefined} labels
 * @param {number} topK
 * @returns {Prediction[][]}
 */
export function topK(output, isProbability, labels, topK) {
  if (output.shape.length !== 2)
    throw new WebgradError(
      'ESHAPE',
      `classify: the model's output is [${output.shape.join(', ')}], expected [batch, classes]`,
    );
  const [batch, classes] = output.shape;
  const values = output.dataSync();
  /** @type {Prediction[][]} */
  const result = [];
  for (let b = 0; b < batch; b++) {
    const row = Array.from(values.subarray(b * classes, (b + 1) * classes));
    const probs = isProbability ? row : softmax(row);
    const order = probs.map((_, i) => i).sort((i, j) => probs[j] - probs[i] || i - j);
    result.push(
      order
        .slice(0, Math.min(topK, classes))
        .map((index) => ({ label: labels?.[index] ?? String(index), index, probability: probs[index] })),
    );
  }
  return result;
}

/** @param {number[]} row */
function softmax(row) {
  // a loop, not Math.max(...row): spreading over ~125k classes overflows the call stack
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

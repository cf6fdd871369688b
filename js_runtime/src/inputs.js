/**
 * Turning what `predict` is given into one checked tensor per signature input: a Tensor, a
 * `{data, shape}` object or nested number arrays (one input), an array of those (positional), or an
 * object keyed by input name. Names, rank, static dims and dtype are checked, with clear errors.
 * @module
 */

import { WebgradError } from './errors.js';
import { fmt } from './shapes.js';
import { Tensor, describe, toTensor } from './tensor.js';

/** @typedef {import('./executor.js').TensorSpec} TensorSpec */
/** @typedef {import('./tensor.js').TensorLike} TensorLike */
/** @typedef {Tensor | TensorLike | unknown[]} InputValue */
/** @typedef {InputValue | InputValue[] | Record<string, InputValue>} ModelInput */

/**
 * Whether `x` is a single tensor-like value (not a list or a name map).
 * @param {unknown} x
 */
function isTensorLike(x) {
  return x instanceof Tensor || (x !== null && typeof x === 'object' && !Array.isArray(x) && 'data' in x);
}

/**
 * @param {unknown} x
 */
function isNumberArray(x) {
  return Array.isArray(x) && x.length > 0 && (typeof x[0] === 'number' || Array.isArray(x[0]));
}

/**
 * The inputs in signature order, each a tensor of the spec's dtype and a fitting shape.
 * @param {ModelInput} x
 * @param {readonly TensorSpec[]} specs
 * @returns {Tensor[]}
 */
export function prepareInputs(x, specs) {
  const names = specs.map((s) => s.name);
  /** @type {unknown[]} */
  let values;
  if (isTensorLike(x) || (specs.length === 1 && isNumberArray(x))) {
    if (specs.length !== 1) {
      throw new WebgradError(
        'EINPUT',
        `the model takes ${specs.length} inputs [${names.join(', ')}]; pass an array in that order or an object keyed by name`,
      );
    }
    values = [x];
  } else if (Array.isArray(x)) {
    if (x.length !== specs.length) {
      throw new WebgradError(
        'EINPUT',
        `the model takes ${specs.length} input(s) [${names.join(', ')}]; got an array of ${x.length}`,
      );
    }
    values = x;
  } else if (x !== null && typeof x === 'object' && !ArrayBuffer.isView(x)) {
    const given = Object.keys(x);
    const known = new Set(names); // sets: a model may have many inputs
    const have = new Set(given);
    const missing = names.filter((n) => !have.has(n));
    const unknown = given.filter((n) => !known.has(n));
    if (missing.length || unknown.length) {
      throw new WebgradError(
        'EINPUT',
        `the model's inputs are [${names.join(', ')}]; got [${given.join(', ')}] (missing [${missing.join(', ')}], unknown [${unknown.join(', ')}])`,
      );
    }
    values = names.map((n) => /** @type {Record<string, unknown>} */ (x)[n]);
  } else {
    throw new WebgradError(
      'EINPUT',
      `predict: expected a Tensor, {data, shape}, an array of inputs or an object keyed by input name, got ${describe(x)}`,
    );
  }
  return values.map((v, i) => checkInput(v, specs[i]));
}

/**
 * One input converted and checked against its spec.
 * @param {unknown} v
 * @param {TensorSpec} spec
 * @returns {Tensor}
 */
export function checkInput(v, spec) {
  const what = `input '${spec.name}'`;
  const t = Array.isArray(v)
    ? toTensor({ data: v }, what, spec.dtype)
    : toTensor(/** @type {Tensor | TensorLike} */ (v), what, spec.dtype);
  if (t.dtype !== spec.dtype) {
    throw new WebgradError(
      'EDTYPE',
      `${what} must be ${spec.dtype}, got ${t.dtype}${spec.dtype === 'float32' ? ' (convert it, e.g. Float32Array.from(data); classify() takes raw pixels)' : ''}`,
    );
  }
  const want = spec.shape;
  if (t.shape.length !== want.length || want.some((d, i) => d !== null && d !== t.shape[i])) {
    throw new WebgradError('ESHAPE', `${what} expects shape ${fmt(want)} (null = any), got [${t.shape.join(', ')}]`);
  }
  return t;
}

/**
 * `getWeights` / `setWeights` of a trainable model: copies of the weight views out, and values checked
 * whole (names, sizes, shapes) before any is written into them.
 * @module
 */

import { WebgradError } from '../errors.js';
import { Tensor } from '../tensor.js';

/** @typedef {import('../backends/interface.js').View} View */
/** @typedef {Float32Array | ArrayLike<number> | Tensor | {data: ArrayLike<number>, shape: number[]}} WeightValue */

/**
 * Copies of the named weights.
 * @param {Map<string, View>} views the backend's weight views
 * @param {readonly string[]} names
 * @returns {Record<string, Float32Array>}
 */
export function readWeights(views, names) {
  /** @type {Record<string, Float32Array>} */
  const out = {};
  for (const name of names) out[name] = Float32Array.from(/** @type {View} */ (views.get(name)).data);
  return out;
}

/**
 * Writes `weights` (any subset of `names`) into their views; an unknown name is EARG naming it, a wrong
 * size or shape ESHAPE; nothing is written unless everything is right.
 * @param {Map<string, View>} views
 * @param {readonly string[]} names
 * @param {Record<string, WeightValue>} weights
 */
export function writeWeights(views, names, weights) {
  if (weights === null || typeof weights !== 'object')
    throw new WebgradError(
      'EARG',
      `setWeights: expected an object {name: Float32Array}, got ${weights === null ? 'null' : typeof weights}`,
    );
  const known = new Set(names);
  /** @type {[Float32Array, ArrayLike<number>][]} */
  const writes = [];
  for (const [name, value] of Object.entries(weights)) {
    if (!known.has(name))
      throw new WebgradError(
        'EARG',
        `setWeights: '${name}' is not a weight of this model (it has ${[...known].slice(0, 8).join(', ')}${known.size > 8 ? ', ...' : ''})`,
      );
    const view = /** @type {View} */ (views.get(name));
    const v = /** @type {any} */ (value);
    const data = v instanceof Tensor ? v.dataSync() : v && typeof v === 'object' && 'data' in v ? v.data : v;
    const shape = v instanceof Tensor ? v.shape : v && typeof v === 'object' && 'shape' in v ? v.shape : null;
    if (!data || typeof data.length !== 'number')
      throw new WebgradError('EARG', `setWeights: '${name}' must be a Float32Array, got ${typeof value}`);
    if (
      shape &&
      (shape.length !== view.shape.length ||
        shape.some((/** @type {number} */ d, /** @type {number} */ i) => d !== view.shape[i]))
    )
      throw new WebgradError(
        'ESHAPE',
        `setWeights: '${name}' has shape [${view.shape.join(', ')}], got [${shape.join(', ')}]`,
      );
    if (data.length !== view.data.length)
      throw new WebgradError(
        'ESHAPE',
        `setWeights: '${name}' has ${view.data.length} values (shape [${view.shape.join(', ')}]), got ${data.length}`,
      );
    writes.push([/** @type {Float32Array} */ (view.data), data]);
  }
  for (const [dst, src] of writes) dst.set(src);
}

/**
 * Factories for the elementwise kernels: `unary(fn)` and `binary(fn)` (numpy broadcasting), so that
 * Add.js, Relu.js, ... are a line each. Values are computed in float64 and rounded when stored.
 * @module
 */

import { broadcastStrides } from '../../../shapes.js';

/** @typedef {import('../../interface.js').Kernel} Kernel */
/** @typedef {import('../../interface.js').View} View */

/**
 * A kernel applying `fn(x, attrs)` to every element.
 * @param {(v: number, attrs: Readonly<Record<string, any>>) => number} fn
 * @returns {Kernel}
 */
export function unary(fn) {
  return (inputs, attrs, output) => {
    const x = /** @type {View} */ (inputs[0]).data;
    const y = output.data;
    for (let i = 0; i < y.length; i++) y[i] = fn(x[i], attrs);
  };
}

/**
 * A kernel computing `fn(a, b)` with numpy broadcasting of the two inputs to the output shape.
 * @param {(a: number, b: number) => number} fn
 * @returns {Kernel}
 */
export function binary(fn) {
  return (inputs, _attrs, output) => {
    const a = /** @type {View} */ (inputs[0]);
    const b = /** @type {View} */ (inputs[1]);
    const ad = a.data;
    const bd = b.data;
    const y = output.data;
    const n = y.length;
    if (n === 0) return;
    if (ad.length === n && bd.length === n) {
      for (let i = 0; i < n; i++) y[i] = fn(ad[i], bd[i]);
      return;
    }
    if (bd.length === 1 && ad.length === n) {
      const bv = bd[0];
      for (let i = 0; i < n; i++) y[i] = fn(ad[i], bv);
      return;
    }
    if (ad.length === 1 && bd.length === n) {
      const av = ad[0];
      for (let i = 0; i < n; i++) y[i] = fn(av, bd[i]);
      return;
    }
    const shape = output.shape;
    const rank = shape.length;
    const sa = broadcastStrides(a.shape, shape);
    const sb = broadcastStrides(b.shape, shape);
    const inner = shape[rank - 1];
    const ia = sa[rank - 1];
    const ib = sb[rank - 1];
    const idx = new Array(rank).fill(0);
    let pa = 0;
    let pb = 0;
    for (let p = 0; p < n;) {
      for (let j = 0, qa = pa, qb = pb; j < inner; j++, qa += ia, qb += ib) y[p++] = fn(ad[qa], bd[qb]);
      for (let d = rank - 2; d >= 0; d--) {
        pa += sa[d];
        pb += sb[d];
        if (++idx[d] < shape[d]) break;
        pa -= sa[d] * shape[d];
        pb -= sb[d] * shape[d];
        idx[d] = 0;
      }
    }
  };
}

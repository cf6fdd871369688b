/**
 * The broadcast walk shared by the gradient kernels that pair each element of a tensor with elements of
 * smaller (broadcast or reduced) tensors: SumTo, MaxMinGrad, ReduceMaxGrad.
 * @module
 */

/**
 * Calls `fn(p, qa, qb)` for every row-major index `p` of `shape`, where `qa` and `qb` are the offsets
 * `sum(index[d] * sa[d])` and `sum(index[d] * sb[d])` (strides 0 along broadcast or reduced axes).
 * @param {readonly number[]} shape
 * @param {readonly number[]} sa
 * @param {readonly number[]} sb
 * @param {(p: number, qa: number, qb: number) => void} fn
 */
export function walk(shape, sa, sb, fn) {
  const rank = shape.length;
  let n = 1;
  for (const d of shape) n *= d;
  if (n === 0) return;
  const idx = new Array(rank).fill(0);
  let qa = 0;
  let qb = 0;
  for (let p = 0; p < n; p++) {
    fn(p, qa, qb);
    for (let d = rank - 1; d >= 0; d--) {
      qa += sa[d];
      qb += sb[d];
      if (++idx[d] < shape[d]) break;
      qa -= sa[d] * shape[d];
      qb -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/**
 * Strides over `shape` of the tensor that `axes` reduce it to (kept as 1): 0 along the reduced axes,
 * so `walk` visits the reduced element that each element of `shape` belongs to.
 * @param {readonly number[]} shape
 * @param {readonly number[]} axes non-negative
 * @returns {number[]}
 */
export function reducedStrides(shape, axes) {
  const out = new Array(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (axes.includes(d)) out[d] = 0;
    else {
      out[d] = stride;
      stride *= shape[d];
    }
  }
  return out;
}

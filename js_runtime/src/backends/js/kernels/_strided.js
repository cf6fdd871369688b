/**
 * Fills `Y` (row-major over `shape`) from `X` read at `offset + sum(index[d] * strides[d])`: the one
 * walk behind Transpose (permuted strides) and Slice (stepped strides from a start offset).
 * @param {ArrayLike<number>} X
 * @param {{length: number, [i: number]: number}} Y
 * @param {readonly number[]} shape
 * @param {readonly number[]} strides
 * @param {number} offset
 */
export function gatherStrided(X, Y, shape, strides, offset) {
  const rank = shape.length;
  if (Y.length === 0) return;
  if (rank === 0) {
    Y[0] = X[offset];
    return;
  }
  const idx = new Array(rank).fill(0);
  const inner = shape[rank - 1];
  const step = strides[rank - 1];
  let q = offset;
  for (let o = 0; o < Y.length;) {
    for (let j = 0, r = q; j < inner; j++, r += step) Y[o++] = X[r];
    for (let d = rank - 2; d >= 0; d--) {
      q += strides[d];
      if (++idx[d] < shape[d]) break;
      q -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/**
 * The converse walk: writes `X` (row-major over `shape`) into `Y` at `offset + sum(index[d] *
 * strides[d])`, leaving the rest of `Y` as it is (Pad places x inside its filled border this way).
 * @param {ArrayLike<number>} X
 * @param {{length: number, [i: number]: number}} Y
 * @param {readonly number[]} shape
 * @param {readonly number[]} strides
 * @param {number} offset
 */
export function scatterStrided(X, Y, shape, strides, offset) {
  const rank = shape.length;
  if (X.length === 0) return;
  if (rank === 0) {
    Y[offset] = X[0];
    return;
  }
  const idx = new Array(rank).fill(0);
  const inner = shape[rank - 1];
  const step = strides[rank - 1];
  let q = offset;
  for (let i = 0; i < X.length;) {
    for (let j = 0, r = q; j < inner; j++, r += step) Y[r] = X[i++];
    for (let d = rank - 2; d >= 0; d--) {
      q += strides[d];
      if (++idx[d] < shape[d]) break;
      q -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

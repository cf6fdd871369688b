/**
 * Fills `Y` (row-major over `shape`) from `X` read at `offset + sum(index[d] * strides[d])`: the one
 * walk behind Transpose (permuted strides) and Slice (stepped strides from a start offset).
 * @param {ArrayLike<number>} X
 * @param {{length: number, [i: number]: number}} Y
 * @param {readonly number[]} shape
 * @param {readonly number[]} strides
 * @param {number} offset
 */
export function gatherStrided(X: ArrayLike<number>, Y: {
    length: number;
    [i: number]: number;
}, shape: readonly number[], strides: readonly number[], offset: number): void;

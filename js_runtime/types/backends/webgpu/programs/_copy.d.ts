/**
 * One pass copying a walk over `shape`: y[y0 + sum c ys] = x[x0 + sum c xs].
 * @param {string} op shader key prefix and name for errors
 * @param {string} dtype logical dtype (picks the f32 / i32 variant)
 * @param {readonly number[]} shape
 * @param {{x0: number, xs: readonly number[], y0: number, ys: readonly number[], input: number}} at
 * @param {import('./_types.js').Limits} limits
 * @returns {import('./_types.js').Pass[]}
 */
export function stridedCopy(op: string, dtype: string, shape: readonly number[], at: {
    x0: number;
    xs: readonly number[];
    y0: number;
    ys: readonly number[];
    input: number;
}, limits: import("./_types.js").Limits): import("./_types.js").Pass[];

/**
 * Strided-copy passes (the `_strided.wgsl.j2` shader of Transpose, Slice and Concat).
 * @module
 */
import { linear } from './_dispatch.js';
import { badArg } from './_errors.js';
import { gpuType } from './storage.js';
import { collapse } from './_strides.js';
import { vec8 } from './uniforms.js';

/**
 * One pass copying a walk over `shape`: y[y0 + sum c ys] = x[x0 + sum c xs].
 * @param {string} op shader key prefix and name for errors
 * @param {string} dtype logical dtype (picks the f32 / i32 variant)
 * @param {readonly number[]} shape
 * @param {{x0: number, xs: readonly number[], y0: number, ys: readonly number[], input: number}} at
 * @param {import('./_types.js').Limits} limits
 * @returns {import('./_types.js').Pass[]}
 */
export function stridedCopy(op, dtype, shape, at, limits) {
  const n = shape.reduce((p, d) => p * d, 1);
  if (n === 0) return [];
  const walk = collapse(shape, [at.xs, at.ys]);
  if (walk.shape.length > 8) throw badArg(op, `the copy needs more than 8 dims (${JSON.stringify(shape)})`);
  /** @type {import('./uniforms.js').Uniform[]} */
  const uniforms = [
    ['n', 'u32', n],
    ['rank', 'u32', walk.shape.length],
    ['x0', 'u32', at.x0],
    ['y0', 'u32', at.y0],
    ...vec8('shape', walk.shape),
    ...vec8('xs', walk.strides[0]),
    ...vec8('ys', walk.strides[1]),
  ];
  return [
    {
      shader: `${op}_${gpuType(dtype)}`,
      uniforms,
      bindings: [{ input: at.input }, { output: 0 }],
      ...linear(op, n, limits),
    },
  ];
}

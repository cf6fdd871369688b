/**
 * Passes of the row ops (`_rows.wgsl`): reductions, ArgMax, Softmax, LogSoftmax, LayerNorm,
 * GlobalAvgPool. One workgroup per row; a row is the elements of x along `axes`, rows are numbered
 * row-major over the other axes (so a reduction writes y[row]).
 * @module
 */
import { normAxes, sizeOf, stridesOf } from '../../../shapes.js';
import { fold, groupSize } from './_dispatch.js';
import { badArg } from './_errors.js';
import { collapse } from './_strides.js';
import { vec8 } from './uniforms.js';

/**
 * @param {string} op the op (for errors)
 * @param {string} shader
 * @param {readonly number[]} shape x's shape
 * @param {readonly number[] | null} axes the axes of a row (null: all)
 * @param {import('./_types.js').Binding[]} bindings
 * @param {import('./_types.js').Limits} limits
 * @param {{output: import('./_types.js').TensorInfo, epsilon?: number}} options the op's output (a
 *   reduction's has one element per row, a softmax's the shape of x); LayerNorm's epsilon
 * @returns {import('./_types.js').Pass[]}
 */
export function rowsPass(op, shader, shape, axes, bindings, limits, { output, epsilon = 0 }) {
  const inner = normAxes(op, axes, shape.length);
  const outer = shape.map((_, i) => i).filter((i) => !inner.includes(i));
  const strides = stridesOf(shape);
  const pick = (/** @type {number[]} */ dims) =>
    collapse(
      dims.map((d) => shape[d]),
      [dims.map((d) => strides[d])],
    );
  const o = pick(outer);
  const r = pick(inner);
  if (o.shape.length > 8 || r.shape.length > 8)
    throw badArg(op, `more than 8 dims after collapsing ${JSON.stringify(shape)}`);
  const rows = sizeOf(outer.map((d) => shape[d]));
  const n = sizeOf(inner.map((d) => shape[d]));
  // An empty output needs no pass. An empty x with a non-empty output (a reduction over a size-0 axis)
  // still runs: the shader reads no element and writes the op set's 'empty' value (x binds a
  // placeholder: compile.js never makes a zero-size binding).
  if (sizeOf(output.shape) === 0) return [];
  // A power of two (the tree reduction halves it), no more than the elements of a row need.
  let size = 1;
  while (size < n && size * 2 <= groupSize(limits)) size *= 2;
  /** @type {import('./uniforms.js').Uniform[]} */
  const uniforms = [
    ['rows', 'u32', rows],
    ['n', 'u32', n],
    ['outer_rank', 'u32', o.shape.length],
    ['inner_rank', 'u32', r.shape.length],
    ['epsilon', 'f32', epsilon],
    ...vec8('outer', o.shape),
    ...vec8('outer_s', o.strides[0]),
    ...vec8('inner', r.shape),
    ...vec8('inner_s', r.strides[0]),
  ];
  return [{ shader, constants: { WG_X: size }, uniforms, bindings, dispatch: fold(op, rows, limits) }];
}

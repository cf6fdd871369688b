/**
 * Program factories for the elementwise ops, so that Relu.js, Add.js, ... are a line each.
 * @module
 */
import { broadcastStrides, sizeOf } from '../../../shapes.js';
import { linear } from './_dispatch.js';
import { badArg } from './_errors.js';
import { collapse } from './_strides.js';
import { gpuType } from './storage.js';
import { vec8 } from './uniforms.js';

/** @typedef {import('./_types.js').Program} Program */
/** @typedef {import('./_types.js').TensorInfo} TensorInfo */

/**
 * A unary op over every element (shader `_unary.wgsl.j2`): Params {n, alpha, approximate}.
 * @param {string} op the op and shader key
 * @returns {Program}
 */
export function unary(op) {
  return ({ attrs, output, limits }) => {
    const n = sizeOf(output.shape);
    if (n === 0) return [];
    /** @type {import('./uniforms.js').Uniform[]} */
    const uniforms = [
      ['n', 'u32', n],
      ['alpha', 'f32', attrs.alpha ?? 0],
      ['approximate', 'u32', attrs.approximate ? 1 : 0],
    ];
    return [{ shader: op, uniforms, bindings: [{ input: 0 }, { output: 0 }], ...linear(op, n, limits) }];
  };
}

/**
 * A unary op by storage type (shader `<op>_f32` / `<op>_i32`, Params {n}): Abs, Sign.
 * @param {string} op the op and shader key prefix
 * @returns {Program}
 */
export function typedUnary(op) {
  return ({ inputs, output, limits }) => {
    const n = sizeOf(output.shape);
    if (n === 0) return [];
    const x = /** @type {TensorInfo} */ (inputs[0]);
    return [
      {
        shader: `${op}_${gpuType(x.dtype)}`,
        uniforms: [['n', 'u32', n]],
        bindings: [{ input: 0 }, { output: 0 }],
        ...linear(op, n, limits),
      },
    ];
  };
}

/**
 * A binary op with numpy broadcasting (shader `_binary.wgsl.j2`): the output shape with both inputs'
 * strides over it, collapsed to few dims.
 * @param {string} op the op and shader key
 * @param {boolean} [typed] the shader has a variant per input storage type (key `<op>_f32`, `<op>_i32`)
 * @returns {Program}
 */
export function binary(op, typed = false) {
  return ({ inputs, output, limits }) => {
    const n = sizeOf(output.shape);
    if (n === 0) return [];
    const [a, b] = /** @type {[TensorInfo, TensorInfo]} */ (inputs);
    const walk = collapse(output.shape, [
      broadcastStrides(a.shape, output.shape),
      broadcastStrides(b.shape, output.shape),
    ]);
    if (walk.shape.length > 8)
      throw badArg(
        op,
        `broadcasting ${JSON.stringify(a.shape)} with ${JSON.stringify(b.shape)} needs more than 8 dims`,
      );
    /** @type {import('./uniforms.js').Uniform[]} */
    const uniforms = [
      ['n', 'u32', n],
      ['rank', 'u32', walk.shape.length],
      ...vec8('shape', walk.shape),
      ...vec8('a', walk.strides[0]),
      ...vec8('b', walk.strides[1]),
    ];
    const shader = typed ? `${op}_${gpuType(a.dtype)}` : op;
    return [{ shader, uniforms, bindings: [{ input: 0 }, { input: 1 }, { output: 0 }], ...linear(op, n, limits) }];
  };
}

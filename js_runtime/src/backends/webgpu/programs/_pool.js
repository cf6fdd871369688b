/**
 * The program of MaxPool2D and AvgPool2D: one invocation per output element (`_pool.wgsl.j2`).
 * @module
 */
import { sizeOf } from '../../../shapes.js';
import { poolWindow } from '../../../window.js';
import { linear } from './_dispatch.js';

/**
 * @param {'MaxPool2D' | 'AvgPool2D'} op
 * @returns {import('./_types.js').Program}
 */
export function pool(op) {
  return ({ inputs, attrs, output, limits }) => {
    const x = /** @type {import('./_types.js').TensorInfo} */ (inputs[0]);
    const n = sizeOf(output.shape);
    if (n === 0) return [];
    const win = poolWindow(op, x.shape, /** @type {any} */ (attrs));
    const [, h, w, c] = x.shape;
    const [oh, ow] = /** @type {[number, number]} */ (win.out);
    /** @type {import('./uniforms.js').Uniform[]} */
    const uniforms = [
      ['n', 'u32', n],
      ['H', 'u32', h],
      ['W', 'u32', w],
      ['C', 'u32', c],
      ['OH', 'u32', oh],
      ['OW', 'u32', ow],
      ['KH', 'u32', win.kernel[0]],
      ['KW', 'u32', win.kernel[1]],
      ['SH', 'u32', win.strides[0]],
      ['SW', 'u32', win.strides[1]],
      ['top', 'u32', /** @type {number} */ (win.pads[0])],
      ['left', 'u32', /** @type {number} */ (win.pads[2])],
    ];
    return [{ shader: op, uniforms, bindings: [{ input: 0 }, { output: 0 }], ...linear(op, n, limits) }];
  };
}

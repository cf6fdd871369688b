import { windowOf } from '../../../window.js';
import { linear } from './_dispatch.js';

/** @typedef {import('./_types.js').TensorInfo} TensorInfo */

/**
 * Conv2DTranspose on webgpu: one pass, one invocation per output element gathering the taps of the
 * Conv2D it transposes (whose padding, from y's shape, gives top/left); bias and activation fused.
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const [x, w, bias] = /** @type {[TensorInfo, TensorInfo, TensorInfo | null]} */ (inputs);
  const [, h, wd, c] = x.shape;
  const [kh, kw, o] = w.shape;
  const [, oh, ow] = output.shape;
  const n = output.shape.reduce((p, d) => p * d, 1);
  if (n === 0) return [];
  const win = windowOf('Conv2DTranspose', [oh, ow], [kh, kw], attrs.strides, attrs.padding, attrs.dilations);
  /** @type {import('./uniforms.js').Uniform[]} */
  const uniforms = [
    ['n', 'u32', n],
    ['H', 'u32', h],
    ['W', 'u32', wd],
    ['C', 'u32', c],
    ['OH', 'u32', oh],
    ['OW', 'u32', ow],
    ['O', 'u32', o],
    ['KH', 'u32', kh],
    ['KW', 'u32', kw],
    ['SH', 'u32', win.strides[0]],
    ['SW', 'u32', win.strides[1]],
    ['DH', 'u32', win.dilations[0]],
    ['DW', 'u32', win.dilations[1]],
    ['top', 'u32', /** @type {number} */ (win.pads[0])],
    ['left', 'u32', /** @type {number} */ (win.pads[2])],
    ['has_bias', 'u32', bias ? 1 : 0],
    ['alpha', 'f32', attrs.alpha],
  ];
  // Without a bias, input 0 stands in (never read; read-only bindings may alias).
  const bindings = [{ input: 0 }, { input: 1 }, { input: bias ? 2 : 0 }, { output: 0 }];
  return [
    { shader: `Conv2DTranspose_${attrs.activation}`, uniforms, bindings, ...linear('Conv2DTranspose', n, limits) },
  ];
}

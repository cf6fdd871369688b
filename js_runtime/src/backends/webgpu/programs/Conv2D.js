import { sizeOf } from '../../../shapes.js';
import { windowOf } from '../../../window.js';
import { fold, linear } from './_dispatch.js';
import { gpuLimit } from './_errors.js';

/** @typedef {import('./_types.js').TensorInfo} TensorInfo */

const TILE = 64; // output rows (pixels) and columns (channels) per workgroup of the GEMM path

/**
 * Conv2D on webgpu (Conv2D.wgsl.j2): depthwise (groups = C with one input channel per group) as a
 * direct kernel per output element; dense and grouped as an implicit GEMM per group in 64 x 64 tiles.
 * Bias and activation fused.
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const [x, w, bias] = /** @type {[TensorInfo, TensorInfo, TensorInfo | null]} */ (inputs);
  const [, h, wd, c] = x.shape;
  const [kh, kw, cg, o] = w.shape;
  const groups = attrs.groups;
  const win = windowOf('Conv2D', [h, wd], [kh, kw], attrs.strides, attrs.padding, attrs.dilations);
  const [oh, ow] = /** @type {[number, number]} */ (win.out);
  const M = sizeOf(output.shape.slice(0, 3));
  if (M * o === 0) return [];
  const depthwise = groups === c && cg === 1;
  const og = o / groups; // depthwise: the channel multiplier
  const K = kh * kw * cg;
  const tilesM = Math.ceil(M / TILE);
  const tilesN = Math.ceil(og / TILE);
  const tiles = tilesM * tilesN * groups;
  /** @type {import('./uniforms.js').Uniform[]} */
  const uniforms = [
    ['H', 'u32', h],
    ['W', 'u32', wd],
    ['C', 'u32', c],
    ['O', 'u32', o],
    ['OH', 'u32', oh],
    ['OW', 'u32', ow],
    ['KH', 'u32', kh],
    ['KW', 'u32', kw],
    ['SH', 'u32', win.strides[0]],
    ['SW', 'u32', win.strides[1]],
    ['DH', 'u32', win.dilations[0]],
    ['DW', 'u32', win.dilations[1]],
    ['top', 'u32', /** @type {number} */ (win.pads[0])],
    ['left', 'u32', /** @type {number} */ (win.pads[2])],
    ['CG', 'u32', cg],
    ['OG', 'u32', og],
    ['M', 'u32', M],
    ['K', 'u32', K],
    ['tiles_m', 'u32', tilesM],
    ['tiles_n', 'u32', tilesN],
    ['tiles', 'u32', tiles],
    ['has_bias', 'u32', bias ? 1 : 0],
    ['alpha', 'f32', attrs.alpha],
  ];
  // Without a bias, input 0 stands in (never read; read-only bindings may alias).
  const bindings = [{ input: 0 }, { input: 1 }, { input: bias ? 2 : 0 }, { output: 0 }];
  if (depthwise) {
    return [{ shader: `Conv2D_depthwise_${attrs.activation}`, uniforms, bindings, ...linear('Conv2D', M * o, limits) }];
  }
  if (limits.maxComputeInvocationsPerWorkgroup < 256 || limits.maxComputeWorkgroupSizeX < 16) {
    throw gpuLimit(
      'Conv2D',
      `needs workgroups of 16 x 16 invocations; the device allows ${limits.maxComputeInvocationsPerWorkgroup}`,
    );
  }
  return [
    {
      shader: `Conv2D_gemm_${attrs.activation}`,
      constants: { WG_X: 16, WG_Y: 16 },
      uniforms,
      bindings,
      dispatch: fold('Conv2D', tiles, limits),
    },
  ];
}

import { sizeOf } from '../../../shapes.js';
import { windowOf } from '../../../window.js';
import { fold, linear } from './_dispatch.js';
import { gpuLimit } from './_errors.js';
import { packUniforms } from './uniforms.js';

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
  const uniforms = packUniforms([
    ['u32', h], ['u32', wd], ['u32', c], ['u32', o],
    ['u32', oh], ['u32', ow], ['u32', kh], ['u32', kw],
    ['u32', win.strides[0]], ['u32', win.strides[1]], ['u32', win.dilations[0]], ['u32', win.dilations[1]],
    ['u32', /** @type {number} */ (win.pads[0])], ['u32', /** @type {number} */ (win.pads[2])], ['u32', cg], ['u32', og],
    ['u32', M], ['u32', K], ['u32', tilesM], ['u32', tilesN],
    ['u32', tiles], ['u32', bias ? 1 : 0], ['f32', attrs.alpha], ['u32', 0],
  ]);
  // Without a bias, input 0 stands in (never read; read-only bindings may alias).
  const bindings = [{ input: 0 }, { input: 1 }, { input: bias ? 2 : 0 }, { output: 0 }];
  if (depthwise) {
    return [{ shader: `Conv2D_depthwise_${attrs.activation}`, uniforms, bindings, ...linear('Conv2D', M * o, limits) }];
  }
  if (limits.maxComputeInvocationsPerWorkgroup < 256 || limits.maxComputeWorkgroupSizeX < 16) {
    throw gpuLimit('Conv2D', `needs workgroups of 16 x 16 invocations; the device allows ${limits.maxComputeInvocationsPerWorkgroup}`);
  }
  return [{
    shader: `Conv2D_gemm_${attrs.activation}`, constants: { WG_X: 16, WG_Y: 16 }, uniforms, bindings,
    dispatch: fold('Conv2D', tiles, limits),
  }];
}

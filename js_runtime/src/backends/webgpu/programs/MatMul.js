import { broadcastStrides, sizeOf } from '../../../shapes.js';
import { fold } from './_dispatch.js';
import { badArg, gpuLimit } from './_errors.js';
import { collapse } from './_strides.js';
import { vec8 } from './uniforms.js';

/** @typedef {import('./_types.js').TensorInfo} TensorInfo */

const TILE = 64; // output rows and columns per workgroup (MatMul.wgsl.j2)

/**
 * MatMul on webgpu: one pass of 64 x 64 output tiles over every broadcast batch (MatMul.wgsl.j2),
 * vec4 loads when the contiguous dim of both operands is a multiple of 4, fused bias + activation.
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const [a, b, bias] = /** @type {[TensorInfo, TensorInfo, TensorInfo | null]} */ (inputs);
  const out = output.shape;
  const rank = out.length;
  const [M, N] = [out[rank - 2], out[rank - 1]];
  if (M * N === 0 || sizeOf(out) === 0) return [];
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const K = attrs.transpose_a ? ar : ac;
  // Element (m, k) of a at a_m * m + a_k * k within its matrix; (k, n) of b at b_k * k + b_n * n.
  const [aM, aK] = attrs.transpose_a ? [1, ac] : [ac, 1];
  const [bK, bN] = attrs.transpose_b ? [1, bc] : [bc, 1];
  const batchShape = out.slice(0, -2);
  const scaled = (/** @type {readonly number[]} */ shape, /** @type {number} */ size) =>
    broadcastStrides(shape.slice(0, -2), batchShape).map((s) => s * size);
  const walk = collapse(batchShape, [scaled(a.shape, ar * ac), scaled(b.shape, br * bc)]);
  if (walk.shape.length > 8)
    throw badArg(
      'MatMul',
      `more than 8 batch dims after broadcasting ${JSON.stringify(a.shape)} with ${JSON.stringify(b.shape)}`,
    );
  if (limits.maxComputeInvocationsPerWorkgroup < 256 || limits.maxComputeWorkgroupSizeX < 16) {
    throw gpuLimit(
      'MatMul',
      `needs workgroups of 16 x 16 invocations; the device allows ${limits.maxComputeInvocationsPerWorkgroup}`,
    );
  }
  const vec4 = (attrs.transpose_a ? M : K) % 4 === 0 && (attrs.transpose_b ? K : N) % 4 === 0;
  const tilesM = Math.ceil(M / TILE);
  const tilesN = Math.ceil(N / TILE);
  const tiles = tilesM * tilesN * sizeOf(batchShape);
  /** @type {import('./uniforms.js').Uniform[]} */
  const uniforms = [
    ['M', 'u32', M],
    ['N', 'u32', N],
    ['K', 'u32', K],
    ['batch_rank', 'u32', walk.shape.length],
    ['tiles_m', 'u32', tilesM],
    ['tiles_n', 'u32', tilesN],
    ['tiles', 'u32', tiles],
    ['has_bias', 'u32', bias ? 1 : 0],
    ['trans_a', 'u32', attrs.transpose_a ? 1 : 0],
    ['trans_b', 'u32', attrs.transpose_b ? 1 : 0],
    ['alpha', 'f32', attrs.alpha],
    ['a_m', 'u32', aM],
    ['a_k', 'u32', aK],
    ['b_k', 'u32', bK],
    ['b_n', 'u32', bN],
    ...vec8('batch', walk.shape),
    ...vec8('a_batch', walk.strides[0]),
    ...vec8('b_batch', walk.strides[1]),
  ];
  return [
    {
      shader: `MatMul_${vec4 ? 'vec4' : 'scalar'}_${attrs.activation}`,
      constants: { WG_X: 16, WG_Y: 16 },
      uniforms,
      // Without a bias, input 0 stands in (never read; read-only bindings may alias).
      bindings: [{ input: 0 }, { input: 1 }, { input: bias ? 2 : 0 }, { output: 0 }],
      dispatch: fold('MatMul', tiles, limits),
    },
  ];
}

import { channelsAround } from '../../../math/axis.js';
import { sizeOf } from '../../../shapes.js';
import { linear } from './_dispatch.js';
import { badArg } from './_errors.js';
import { gpuType } from './storage.js';

/**
 * Dequantize on webgpu: one invocation per element, per tensor or per channel (Dequantize.wgsl.j2).
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const [x, scale, zero] = /** @type {[import('./_types.js').TensorInfo, any, any]} */ (inputs);
  const src = gpuType(x.dtype);
  if (!src) throw badArg('Dequantize', `x of dtype ${x.dtype} is not supported`);
  const n = sizeOf(output.shape);
  if (n === 0) return [];
  const [, channels, inner] = channelsAround('Dequantize', x.shape, attrs.axis);
  const flags = (scale ? 1 : 0) | (zero ? 2 : 0);
  /** @type {import('./uniforms.js').Uniform[]} */
  const uniforms = [
    ['n', 'u32', n],
    ['inner', 'u32', inner],
    ['channels', 'u32', channels],
    ['flags', 'u32', flags],
  ];
  return [
    {
      shader: `Dequantize_${src}`,
      uniforms,
      // An absent scale / zero_point is stood in for by input 0 (never read; read-only bindings may alias).
      bindings: [{ input: 0 }, { input: scale ? 1 : 0 }, { input: zero ? 2 : 0 }, { output: 0 }],
      ...linear('Dequantize', n, limits),
    },
  ];
}

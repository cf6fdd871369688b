import { sizeOf } from '../../../shapes.js';
import { linear } from './_dispatch.js';
import { gpuType } from './storage.js';

/**
 * Abs on webgpu: one invocation per element, by storage type (Abs.wgsl.j2: `Abs_f32`, `Abs_i32`).
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, output, limits }) {
  const n = sizeOf(output.shape);
  if (n === 0) return [];
  const x = /** @type {import('./_types.js').TensorInfo} */ (inputs[0]);
  return [
    {
      shader: `Abs_${gpuType(x.dtype)}`,
      uniforms: [['n', 'u32', n]],
      bindings: [{ input: 0 }, { output: 0 }],
      ...linear('Abs', n, limits),
    },
  ];
}

import { normAxis, sizeOf } from '../../../shapes.js';
import { linear } from './_dispatch.js';
import { gpuType } from './storage.js';

/**
 * Gather on webgpu: one invocation per output element, data seen as [outer, n, inner] (Gather.wgsl.j2).
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const [data, indices] = /** @type {import('./_types.js').TensorInfo[]} */ (inputs);
  const axis = normAxis('Gather', attrs.axis, data.shape.length);
  const total = sizeOf(output.shape);
  if (total === 0) return [];
  /** @type {import('./uniforms.js').Uniform[]} */
  const uniforms = [
    ['total', 'u32', total],
    ['n', 'u32', data.shape[axis]],
    ['count', 'u32', sizeOf(indices.shape)],
    ['inner', 'u32', sizeOf(data.shape.slice(axis + 1))],
  ];
  return [
    {
      shader: `Gather_${gpuType(data.dtype)}`,
      uniforms,
      bindings: [{ input: 0 }, { input: 1 }, { output: 0 }],
      ...linear('Gather', total, limits),
    },
  ];
}

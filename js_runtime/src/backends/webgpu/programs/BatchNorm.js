import { sizeOf } from '../../../shapes.js';
import { linear } from './_dispatch.js';

/**
 * BatchNorm on webgpu: one invocation per element, channel = last axis (BatchNorm.wgsl.j2).
 * @type {import('./_types.js').Program}
 */
export function program({ attrs, output, limits }) {
  const n = sizeOf(output.shape);
  if (n === 0) return [];
  /** @type {import('./uniforms.js').Uniform[]} */
  const uniforms = [
    ['n', 'u32', n],
    ['channels', 'u32', output.shape[output.shape.length - 1]],
    ['epsilon', 'f32', attrs.epsilon],
  ];
  return [
    {
      shader: 'BatchNorm',
      uniforms,
      bindings: [{ input: 0 }, { input: 1 }, { input: 2 }, { input: 3 }, { input: 4 }, { output: 0 }],
      ...linear('BatchNorm', n, limits),
    },
  ];
}

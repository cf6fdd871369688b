import { padPairs } from '../../../shape_rules.js';
import { stridesOf } from '../../../shapes.js';
import { linear } from './_dispatch.js';
import { gpuType } from './storage.js';
import { vec8 } from './uniforms.js';

/**
 * Pad on webgpu: one pass over y, each invocation reading x where its coordinates fall inside the
 * padding and writing the fill value elsewhere.
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const x = /** @type {import('./_types.js').TensorInfo} */ (inputs[0]);
  const n = output.shape.reduce((p, d) => p * d, 1);
  if (n === 0) return [];
  const type = /** @type {'f32' | 'i32'} */ (gpuType(x.dtype));
  const before = padPairs(x.shape.length, attrs, x.dtype).map(([b]) => b);
  return [
    {
      shader: `Pad_${type}`,
      uniforms: [
        ['n', 'u32', n],
        ['rank', 'u32', x.shape.length],
        ['value', type, attrs.value],
        ...vec8('shape', output.shape),
        ...vec8('before', before),
        ...vec8('xdims', x.shape),
        ...vec8('xs', stridesOf(x.shape)),
      ],
      bindings: [{ input: 0 }, { output: 0 }],
      ...linear('Pad', n, limits),
    },
  ];
}

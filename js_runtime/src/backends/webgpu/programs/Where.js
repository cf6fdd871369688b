import { broadcastStrides, sizeOf } from '../../../shapes.js';
import { linear } from './_dispatch.js';
import { badArg } from './_errors.js';
import { collapse } from './_strides.js';
import { vec8 } from './uniforms.js';

/** @typedef {import('./_types.js').TensorInfo} TensorInfo */

/**
 * Where(cond, x, y) on webgpu: one invocation per element, the three inputs' strides over the output
 * collapsed to few dims as the binary ops' (Where.wgsl.j2).
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, output, limits }) {
  const n = sizeOf(output.shape);
  if (n === 0) return [];
  const ins = /** @type {TensorInfo[]} */ (inputs);
  const walk = collapse(
    output.shape,
    ins.map((t) => broadcastStrides(t.shape, output.shape)),
  );
  if (walk.shape.length > 8)
    throw badArg('Where', `broadcasting ${ins.map((t) => JSON.stringify(t.shape)).join(', ')} needs more than 8 dims`);
  return [
    {
      shader: 'Where',
      uniforms: [
        ['n', 'u32', n],
        ['rank', 'u32', walk.shape.length],
        ...vec8('shape', walk.shape),
        ...vec8('c', walk.strides[0]),
        ...vec8('x', walk.strides[1]),
        ...vec8('y', walk.strides[2]),
      ],
      bindings: [{ input: 0 }, { input: 1 }, { input: 2 }, { output: 0 }],
      ...linear('Where', n, limits),
    },
  ];
}

import { rowsPass } from './_rows.js';

/**
 * Softmax on webgpu: one workgroup per row along the axis (_softmax.wgsl.j2).
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const x = /** @type {import('./_types.js').TensorInfo} */ (inputs[0]);
  return rowsPass('Softmax', 'Softmax', x.shape, [attrs.axis], [{ input: 0 }, { output: 0 }], limits, { output });
}

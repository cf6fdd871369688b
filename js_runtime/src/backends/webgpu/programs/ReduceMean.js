import { rowsPass } from './_rows.js';

/**
 * ReduceMean on webgpu: a workgroup reduction per output element (_reduce.wgsl.j2).
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const x = /** @type {import('./_types.js').TensorInfo} */ (inputs[0]);
  return rowsPass('ReduceMean', 'ReduceMean', x.shape, attrs.axes, [{ input: 0 }, { output: 0 }], limits, { output });
}

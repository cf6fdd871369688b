import { rowsPass } from './_rows.js';

/**
 * GlobalAvgPool on webgpu: the mean over H and W of NHWC x, a workgroup reduction per (n, c).
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const x = /** @type {import('./_types.js').TensorInfo} */ (inputs[0]);
  return rowsPass('GlobalAvgPool', 'GlobalAvgPool', x.shape, [1, 2], [{ input: 0 }, { output: 0 }], limits, { output });
}

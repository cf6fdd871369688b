import { rowsPass } from './_rows.js';

/**
 * ArgMax on webgpu: a workgroup reduction of (value, index) per output element (ArgMax.wgsl.j2).
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, limits }) {
  const x = /** @type {import('./_types.js').TensorInfo} */ (inputs[0]);
  return rowsPass('ArgMax', 'ArgMax', x.shape, [attrs.axis], [{ input: 0 }, { output: 0 }], limits);
}

import { SHAPE_RULES } from '../../../shape_rules.js';
import { rowsPass } from './_rows.js';

/**
 * ArgMax on webgpu: a workgroup reduction of (value, index) per output element (ArgMax.wgsl.j2).
 * The shape rule runs first, as in the executor: a size-0 axis is ESHAPE here too, so a direct caller
 * never gets the shader's index 0 for a row of nothing.
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const x = /** @type {import('./_types.js').TensorInfo} */ (inputs[0]);
  SHAPE_RULES.ArgMax([x.shape], attrs);
  return rowsPass('ArgMax', 'ArgMax', x.shape, [attrs.axis], [{ input: 0 }, { output: 0 }], limits, { output });
}

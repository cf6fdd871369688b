import { rowsPass } from './_rows.js';

/**
 * LayerNorm on webgpu: one workgroup per normalized group (LayerNorm.wgsl.j2).
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const x = /** @type {import('./_types.js').TensorInfo} */ (inputs[0]);
  const axes = x.shape.map((_, i) => i).slice(attrs.axis < 0 ? attrs.axis + x.shape.length : attrs.axis);
  return rowsPass(
    'LayerNorm',
    'LayerNorm',
    x.shape,
    axes,
    [{ input: 0 }, { input: 1 }, { input: 2 }, { output: 0 }],
    limits,
    { output, epsilon: attrs.epsilon },
  );
}

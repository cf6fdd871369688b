import { sizeOf } from '../../../shapes.js';
import { linear } from './_dispatch.js';
import { badArg } from './_errors.js';
import { gpuType } from './storage.js';

/** Integer targets: [lo, hi]. */
const RANGE = /** @type {Record<string, [number, number]>} */ ({
  int32: [-2147483648, 2147483647],
  int8: [-128, 127],
  uint8: [0, 255],
});

/**
 * Cast on webgpu: shader `Cast_<src>_<dst>` by storage type and target (Cast.wgsl.j2).
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const x = /** @type {import('./_types.js').TensorInfo} */ (inputs[0]);
  const src = gpuType(x.dtype);
  const to = attrs.to;
  if (!src || !gpuType(to)) throw badArg('Cast', `cannot cast ${x.dtype} to ${to}`);
  const n = sizeOf(output.shape);
  if (n === 0) return [];
  const range = RANGE[to] ?? [0, 0];
  const dst = to in RANGE ? 'int' : to === 'float16' ? 'f16' : 'f32';
  /** @type {import('./uniforms.js').Uniform[]} */
  const uniforms = [
    ['n', 'u32', n],
    ['lo', 'i32', range[0]],
    ['hi', 'i32', range[1]],
  ];
  return [
    { shader: `Cast_${src}_${dst}`, uniforms, bindings: [{ input: 0 }, { output: 0 }], ...linear('Cast', n, limits) },
  ];
}

import { halfToFloat } from '../../../dtypes.js';
import { normAxis, sizeOf } from '../../../shapes.js';

/**
 * Dequantize: y = (float32(x) - zero_point) * scale, per tensor (axis null) or per channel along axis,
 * each step rounded to float32 like the reference. float16 x (raw half bits) converts exactly.
 * The loader uses this kernel to dequantize int8 / float16 weights.
 * @type {import('../../interface.js').Kernel} */
export function Dequantize(inputs, attrs, output) {
  const x = /** @type {import('../../interface.js').View} */ (inputs[0]);
  const scale = inputs[1] ? inputs[1].data : null;
  const zero = inputs[2] ? inputs[2].data : null;
  const X = x.data;
  const Y = output.data;
  const half = x.dtype === 'float16';
  let inner = X.length;
  let channels = 1;
  if (attrs.axis !== null) {
    const axis = normAxis('Dequantize', attrs.axis, x.shape.length);
    inner = sizeOf(x.shape.slice(axis + 1));
    channels = x.shape[axis];
  }
  const f = Math.fround;
  for (let i = 0; i < X.length; i++) {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    let v = half ? halfToFloat(X[i]) : X[i];
    if (zero) v = f(v - zero[c]);
    if (scale) v = f(v * scale[c]);
    Y[i] = v;
  }
}

import { floatToHalf, halfToFloat } from '../../../dtypes.js';

/** @type {Record<string, [number, number]>} */
const RANGE = { int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255] };

/**
 * Cast to dtype `to`. To an integer type: floats truncate toward zero; NaN and values out of the
 * target's range give 0. To float16: round to nearest even (overflow is ±Inf). float16 inputs are
 * raw half bits.
 * @type {import('../../interface.js').Kernel}
 */
export function Cast(inputs, attrs, output) {
  const x = /** @type {import('../../interface.js').View} */ (inputs[0]);
  const X = x.data;
  const Y = output.data;
  const half = x.dtype === 'float16';
  const to = attrs.to;
  const range = RANGE[to];
  for (let i = 0; i < X.length; i++) {
    const v = half ? halfToFloat(X[i]) : X[i];
    if (range) {
      const t = Math.trunc(v);
      Y[i] = t >= range[0] && t <= range[1] ? t : 0; // NaN fails both tests
    } else if (to === 'float16') {
      Y[i] = floatToHalf(v);
    } else {
      Y[i] = v;
    }
  }
}

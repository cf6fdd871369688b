import { dequantizeInto } from '../../../math/dequantize.js';

/**
 * Dequantize: y = (float32(x) - zero_point) * scale, per tensor (axis null) or per channel along axis
 * (the shared implementation in src/math/dequantize.js, which the loader uses for weights too).
 * @type {import('../../interface.js').Kernel} */
export function Dequantize(inputs, attrs, output) {
  dequantizeInto(
    /** @type {import('../../interface.js').View} */ (inputs[0]),
    inputs[1],
    inputs[2] ?? null,
    attrs.axis,
    output,
  );
}

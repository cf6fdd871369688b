import { padPairs } from '../../../shape_rules.js';
import { stridesOf } from '../../../shapes.js';
import { scatterStrided } from './_strided.js';

/**
 * Pad: y filled with `value`, then x written inside at offset `before` per axis (constant padding;
 * `pads` = [before_0, after_0, before_1, after_1, ...]).
 * @type {import('../../interface.js').Kernel} */
export function Pad(inputs, attrs, output) {
  const x = /** @type {import('../../interface.js').View} */ (inputs[0]);
  const strides = stridesOf(output.shape);
  const pairs = padPairs(x.shape.length, attrs, x.dtype);
  const offset = pairs.reduce((q, [before], d) => q + before * strides[d], 0);
  output.data.fill(attrs.value);
  scatterStrided(x.data, output.data, x.shape, strides, offset);
}

import { scratch } from '../_scratch.js';
import { convTaps } from './_conv_grad.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * dL/dx of Conv2D summed in float64 (a scratch array of x's size): every tap's g row times the
 * filter's transposed slice, added into the input pixel it read; padding positions are dropped. Also
 * the sums of Conv2DTranspose, which is this gradient for the cotangent x.
 * @param {View} g the forward output's cotangent, NHWC
 * @param {View} w HWIO [KH, KW, C/groups, O]
 * @param {readonly number[]} xShape NHWC
 * @param {Readonly<Record<string, any>>} attrs strides, padding, dilations, groups
 * @param {string} op named in shape errors
 * @returns {Float64Array}
 */
export function backpropInputSums(g, w, xShape, attrs, op) {
  const [, , cg, o] = w.shape;
  const groups = attrs.groups;
  const og = o / groups;
  const G = g.data;
  const W = w.data;
  const size = xShape.reduce((p, d) => p * d, 1);
  const acc = scratch(size);
  acc.fill(0, 0, size);
  convTaps(op, xShape, w.shape, g.shape, attrs, (gBase, xBase, wBase) => {
    for (let grp = 0; grp < groups; grp++) {
      const g0 = gBase + grp * og;
      for (let ci = 0; ci < cg; ci++) {
        const wRow = wBase + ci * o + grp * og;
        let s = 0;
        for (let q = 0; q < og; q++) s += G[g0 + q] * W[wRow + q];
        acc[xBase + grp * cg + ci] += s;
      }
    }
  });
  return acc;
}

/**
 * Conv2DBackpropInput(g, w, like_x): dL/dx of Conv2D (x NHWC, w HWIO [KH, KW, C/groups, O]) with the
 * forward op's strides, padding, dilations and groups (float64 sums, then rounded).
 * @type {import('../../../interface.js').Kernel}
 */
export function Conv2DBackpropInput(inputs, attrs, output) {
  const acc = backpropInputSums(
    /** @type {View} */ (inputs[0]),
    /** @type {View} */ (inputs[1]),
    output.shape,
    attrs,
    'Conv2DBackpropInput',
  );
  const D = output.data;
  for (let k = 0; k < D.length; k++) D[k] = acc[k];
}

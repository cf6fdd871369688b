import { scratch } from '../_scratch.js';
import { convTaps } from './_conv_grad.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * Conv2DBackpropInput(g, w, like_x): dL/dx of Conv2D (x NHWC, w HWIO [KH, KW, C/groups, O]) with the
 * forward op's strides, padding, dilations and groups: every tap's g row times the filter's transposed
 * slice, added into the input pixel it read (float64, then rounded). Padding positions are dropped.
 * @type {import('../../../interface.js').Kernel}
 */
export function Conv2DBackpropInput(inputs, attrs, output) {
  const g = /** @type {View} */ (inputs[0]);
  const w = /** @type {View} */ (inputs[1]);
  const [, , cg, o] = w.shape;
  const groups = attrs.groups;
  const og = o / groups;
  const G = g.data;
  const W = w.data;
  const D = output.data;
  const acc = scratch(D.length);
  acc.fill(0, 0, D.length);
  convTaps('Conv2DBackpropInput', output.shape, w.shape, g.shape, attrs, (gBase, xBase, wBase) => {
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
  for (let k = 0; k < D.length; k++) D[k] = acc[k];
}

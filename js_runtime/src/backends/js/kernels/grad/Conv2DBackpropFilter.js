import { scratch } from '../_scratch.js';
import { convTaps } from './_conv_grad.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * Conv2DBackpropFilter(x, g, like_w): dL/dw of Conv2D (x NHWC, w HWIO [KH, KW, C/groups, O]) with the
 * forward op's strides, padding, dilations and groups: for every tap reading a real input pixel, the
 * outer product of that pixel's group channels and the group's g row (float64, then rounded).
 * @type {import('../../../interface.js').Kernel}
 */
export function Conv2DBackpropFilter(inputs, attrs, output) {
  const x = /** @type {View} */ (inputs[0]);
  const g = /** @type {View} */ (inputs[1]);
  const [, , cg, o] = output.shape;
  const groups = attrs.groups;
  const og = o / groups;
  const X = x.data;
  const G = g.data;
  const D = output.data;
  const acc = scratch(D.length);
  acc.fill(0, 0, D.length);
  convTaps('Conv2DBackpropFilter', x.shape, output.shape, g.shape, attrs, (gBase, xBase, wBase) => {
    for (let grp = 0; grp < groups; grp++) {
      const g0 = gBase + grp * og;
      for (let ci = 0; ci < cg; ci++) {
        const xv = X[xBase + grp * cg + ci];
        const wRow = wBase + ci * o + grp * og;
        for (let q = 0; q < og; q++) acc[wRow + q] += xv * G[g0 + q];
      }
    }
  });
  for (let k = 0; k < D.length; k++) D[k] = acc[k];
}

/**
 * VJP of Conv2DTranspose (with its fused bias and activation): gz = the activation's gradient; the
 * transposed convolution is the input gradient of a Conv2D from y's shape to x's, so x's gradient is
 * that Conv2D applied to gz, and w's is its filter gradient with the roles swapped (image gz, cotangent
 * x); gz summed to [O] for the bias.
 * @module
 */

import { activationGrad, needsPreActivation } from './_activation.js';

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Conv2DTranspose = (ctx, node, g, needs) => {
  const [x, w, bias] = node.inputs;
  const { strides, padding, dilations, activation, alpha } = node.attrs;
  const y = node.outputs[0];
  let pre = y;
  if (needsPreActivation(activation, alpha)) {
    pre = ctx.emit('Conv2DTranspose', bias ? [x, w, bias] : [x, w], { strides, padding, dilations }, 'pre');
  }
  const gz = activationGrad(ctx, g, pre, y, { activation, alpha });
  const conv = { strides, padding, dilations, groups: 1 };
  return [
    needs[0] ? ctx.emit('Conv2D', [gz, w], conv, 'dx') : null,
    needs[1] ? ctx.emit('Conv2DBackpropFilter', [gz, x, w], conv, 'dw') : null,
    bias && needs[2] ? ctx.sumTo(gz, ctx.shape(y), bias, 'dbias') : null,
  ];
};

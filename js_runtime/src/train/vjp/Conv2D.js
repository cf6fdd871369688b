/**
 * VJP of Conv2D (with its fused bias and activation): gz = the activation's gradient, then
 * Conv2DBackpropInput for x, Conv2DBackpropFilter for w (strides, padding, dilations, groups as the
 * forward node) and gz summed to [O] for the bias.
 * @module
 */

import { activationGrad, needsPreActivation } from './_activation.js';

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Conv2D = (ctx, node, g, needs) => {
  const [x, w, bias] = node.inputs;
  const { strides, padding, dilations, groups, activation, alpha } = node.attrs;
  const y = node.outputs[0];
  const conv = { strides, padding, dilations, groups };
  let pre = y;
  if (needsPreActivation(activation, alpha)) pre = ctx.emit('Conv2D', bias ? [x, w, bias] : [x, w], conv, 'pre');
  const gz = activationGrad(ctx, g, pre, y, { activation, alpha });
  return [
    needs[0] ? ctx.emit('Conv2DBackpropInput', [gz, w, x], conv, 'dx') : null,
    needs[1] ? ctx.emit('Conv2DBackpropFilter', [x, gz, w], conv, 'dw') : null,
    bias && needs[2] ? ctx.sumTo(gz, ctx.shape(y), bias, 'dbias') : null,
  ];
};

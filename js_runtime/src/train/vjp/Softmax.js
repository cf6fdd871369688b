/**
 * VJP of Softmax: y * (g - sum(g * y, axis)) (SoftmaxGrad).
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Softmax = (ctx, node, g, needs) => {
  return [needs[0] ? ctx.emit('SoftmaxGrad', [g, node.outputs[0]], { axis: node.attrs.axis }, 'dx') : null];
};

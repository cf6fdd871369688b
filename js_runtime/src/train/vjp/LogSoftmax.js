/**
 * VJP of LogSoftmax: g - exp(y) * sum(g, axis) (LogSoftmaxGrad).
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const LogSoftmax = (ctx, node, g, needs) => {
  return [needs[0] ? ctx.emit('LogSoftmaxGrad', [g, node.outputs[0]], { axis: node.attrs.axis }, 'dx') : null];
};

/**
 * VJP of ReduceMax: g routed to the max positions (ReduceMaxGrad).
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const ReduceMax = (ctx, node, g, needs) => {
  if (!needs[0]) return [null];
  const { axes, keepdims } = node.attrs;
  return [ctx.emit('ReduceMaxGrad', [g, node.inputs[0], node.outputs[0]], { axes, keepdims }, 'dx')];
};

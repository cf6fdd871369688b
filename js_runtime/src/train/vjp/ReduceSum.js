/**
 * VJP of ReduceSum: g spread back over the reduced axes (BroadcastLike).
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const ReduceSum = (ctx, node, g, needs) => {
  if (!needs[0]) return [null];
  const { axes, keepdims } = node.attrs;
  return [ctx.emit('BroadcastLike', [g, node.inputs[0]], { axes, keepdims, mean: false }, 'dx')];
};

/**
 * VJP of GlobalAvgPool: g [N, C] spread back over H and W, divided by H * W (BroadcastLike with mean).
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const GlobalAvgPool = (ctx, node, g, needs) => {
  if (!needs[0]) return [null];
  return [ctx.emit('BroadcastLike', [g, node.inputs[0]], { axes: [1, 2], keepdims: false, mean: true }, 'dx')];
};

/**
 * VJP of Gather: scatter-add of g into zeros of data's shape (GatherGrad); indices have no gradient.
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Gather = (ctx, node, g, needs) => {
  if (!needs[0]) return [null, null];
  return [ctx.emit('GatherGrad', [g, node.inputs[1], node.inputs[0]], { axis: node.attrs.axis }, 'ddata'), null];
};

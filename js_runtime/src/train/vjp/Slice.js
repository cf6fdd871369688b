/**
 * VJP of Slice: g placed where Slice read, zeros elsewhere (SliceGrad).
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Slice = (ctx, node, g, needs) => {
  if (!needs[0]) return [null];
  const { starts, ends, axes, steps } = node.attrs;
  return [ctx.emit('SliceGrad', [g, node.inputs[0]], { starts, ends, axes, steps }, 'dx')];
};

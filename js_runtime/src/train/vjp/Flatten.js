/**
 * VJP of Flatten: g given x's shape back (ReshapeLike: a view, no copy).
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Flatten = (ctx, node, g, needs) => {
  return [needs[0] ? ctx.emit('ReshapeLike', [g, node.inputs[0]], {}, 'dx') : null];
};

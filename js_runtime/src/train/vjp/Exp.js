/**
 * VJP of Exp: g * y.
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Exp = (ctx, node, g, needs) => {
  return [needs[0] ? ctx.emit('Mul', [g, node.outputs[0]], {}, 'dx') : null];
};

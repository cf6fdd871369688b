/**
 * VJP of Log: g / x.
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Log = (ctx, node, g, needs) => {
  return [needs[0] ? ctx.emit('Div', [g, node.inputs[0]], {}, 'dx') : null];
};

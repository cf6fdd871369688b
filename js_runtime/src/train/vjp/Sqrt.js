/**
 * VJP of Sqrt: g / y * 0.5.
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Sqrt = (ctx, node, g, needs) => {
  if (!needs[0]) return [null];
  return [ctx.emit('Mul', [ctx.emit('Div', [g, node.outputs[0]], {}, 'g_over_y'), ctx.constant(0.5)], {}, 'dx')];
};

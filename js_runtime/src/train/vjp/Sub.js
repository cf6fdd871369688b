/**
 * VJP of Sub: a gets g, b gets -g, each summed down to its broadcast shape.
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Sub = (ctx, node, g, needs) => {
  const [a, b] = node.inputs;
  const from = ctx.shape(node.outputs[0]);
  const neg = needs[1] ? ctx.emit('Mul', [g, ctx.constant(-1)], {}, 'neg_g') : null;
  return [needs[0] ? ctx.sumTo(g, from, a, 'da') : null, neg ? ctx.sumTo(neg, from, b, 'db') : null];
};

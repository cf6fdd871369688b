/**
 * VJP of Mul: g times the other input, summed down to each input's broadcast shape.
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Mul = (ctx, node, g, needs) => {
  const [a, b] = node.inputs;
  const from = ctx.shape(node.outputs[0]);
  return [
    needs[0] ? ctx.sumTo(ctx.emit('Mul', [g, b], {}, 'g_b'), from, a, 'da') : null,
    needs[1] ? ctx.sumTo(ctx.emit('Mul', [g, a], {}, 'g_a'), from, b, 'db') : null,
  ];
};

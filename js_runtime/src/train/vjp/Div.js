/**
 * VJP of Div: y = a / b: da = g / b, db = -(g / b) * y, each summed down to its broadcast shape.
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Div = (ctx, node, g, needs) => {
  const [a, b] = node.inputs;
  const from = ctx.shape(node.outputs[0]);
  const gOverB = ctx.emit('Div', [g, b], {}, 'g_over_b');
  let db = null;
  if (needs[1]) {
    const t = ctx.emit('Mul', [gOverB, node.outputs[0]], {}, 'g_over_b_y');
    db = ctx.sumTo(ctx.emit('Mul', [t, ctx.constant(-1)], {}, 'neg'), from, b, 'db');
  }
  return [needs[0] ? ctx.sumTo(gOverB, from, a, 'da') : null, db];
};

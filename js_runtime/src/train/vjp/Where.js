/**
 * VJP of Where(cond, x, y): g selected (not multiplied: an Inf in g stays on its side) into the share of
 * x (cond != 0) and of y (the rest), each summed to its input's shape; cond gets no gradient.
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Where = (ctx, node, g, needs) => {
  const [cond] = node.inputs;
  const from = ctx.shape(node.outputs[0]);
  const zero = ctx.constant(0);
  return [
    null,
    needs[1] ? ctx.sumTo(ctx.emit('Where', [cond, g, zero], {}, 'g_x'), from, node.inputs[1], 'dx') : null,
    needs[2] ? ctx.sumTo(ctx.emit('Where', [cond, zero, g], {}, 'g_y'), from, node.inputs[2], 'dy') : null,
  ];
};

/**
 * VJP of Add: the gradient summed down to each input's broadcast shape.
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Add = (ctx, node, g, needs) => {
  const from = ctx.shape(node.outputs[0]);
  return node.inputs.map((x, k) => (needs[k] ? ctx.sumTo(g, from, x, `d${'ab'[k]}`) : null));
};

/**
 * VJP of LayerNorm: LayerNormGrad for x, gamma and beta.
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const LayerNorm = (ctx, node, g, needs) => {
  const [x, gamma] = node.inputs;
  const { axis, epsilon } = node.attrs;
  return ['x', 'gamma', 'beta'].map((wrt, k) =>
    needs[k] ? ctx.emit('LayerNormGrad', [g, x, gamma], { axis, epsilon, wrt }, `d${wrt}`) : null,
  );
};

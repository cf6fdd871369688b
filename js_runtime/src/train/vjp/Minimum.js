/**
 * VJP of Minimum: g routed to the selected side (MaxMinGrad, ties as the Python VJP), summed to its shape.
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Minimum = (ctx, node, g, needs) => {
  const [a, b] = node.inputs;
  const from = ctx.shape(node.outputs[0]);
  return ['a', 'b'].map((side, k) =>
    needs[k]
      ? ctx.sumTo(ctx.emit('MaxMinGrad', [g, a, b], { op: 'min', side }, `g_${side}`), from, node.inputs[k], `d${side}`)
      : null,
  );
};

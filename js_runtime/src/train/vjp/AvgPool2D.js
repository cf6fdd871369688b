/**
 * VJP of AvgPool2D: g spread over each window's valid cells (AvgPool2DGrad).
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const AvgPool2D = (ctx, node, g, needs) => {
  return [
    needs[0]
      ? ctx.emit(
          'AvgPool2DGrad',
          [g, node.inputs[0]],
          { pool_size: node.attrs.pool_size, strides: node.attrs.strides, padding: node.attrs.padding },
          'dx',
        )
      : null,
  ];
};

/**
 * VJP of MaxPool2D: g routed to each window's max (MaxPool2DGrad).
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const MaxPool2D = (ctx, node, g, needs) => {
  return [
    needs[0]
      ? ctx.emit(
          'MaxPool2DGrad',
          [g, node.inputs[0]],
          { pool_size: node.attrs.pool_size, strides: node.attrs.strides, padding: node.attrs.padding },
          'dx',
        )
      : null,
  ];
};

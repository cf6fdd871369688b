/**
 * VJP of Abs: g * sign(x) with sign(x) = (x > 0) - (x < 0), so 0 at x = 0 as numpy and JAX (a NaN x gives
 * 0 here, NaN in the numpy reference).
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Abs = (ctx, node, g, needs) => {
  if (!needs[0]) return [null];
  const [x] = node.inputs;
  const zero = ctx.constant(0);
  const sign = ctx.emit(
    'Sub',
    [ctx.emit('Greater', [x, zero], {}, 'positive'), ctx.emit('Less', [x, zero], {}, 'negative')],
    {},
    'sign',
  );
  return [ctx.emit('Mul', [g, sign], {}, 'dx')];
};

/**
 * VJP of MatMul (with its fused bias and activation): gz = the activation's gradient, then
 * da and db are MatMuls of gz with the other operand under the transpose flags that undo
 * `transpose_a`/`transpose_b`, summed down over broadcast batch dims; dbias sums gz to [N].
 * @module
 */

import { activationGrad, needsPreActivation } from './_activation.js';

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/**
 * The MatMuls giving da and db for y = op(a) @ op(b): each entry is [left, right, transpose_a, transpose_b]
 * with 'g' standing for gz, indexed by [transpose_a][transpose_b].
 * @type {Record<string, {da: [string, string, boolean, boolean], db: [string, string, boolean, boolean]}>}
 */
const PRODUCTS = {
  '00': { da: ['g', 'b', false, true], db: ['a', 'g', true, false] },
  '01': { da: ['g', 'b', false, false], db: ['g', 'a', true, false] },
  10: { da: ['b', 'g', false, true], db: ['a', 'g', false, false] },
  11: { da: ['b', 'g', true, true], db: ['g', 'a', true, true] },
};

/** @type {VjpRule} */
export const MatMul = (ctx, node, g, needs) => {
  const [a, b, bias] = node.inputs;
  const { transpose_a: ta, transpose_b: tb, activation, alpha } = node.attrs;
  const y = node.outputs[0];
  let pre = y;
  if (needsPreActivation(activation, alpha)) {
    pre = ctx.emit('MatMul', bias ? [a, b, bias] : [a, b], { transpose_a: ta, transpose_b: tb }, 'pre');
  }
  const gz = activationGrad(ctx, g, pre, y, { activation, alpha });
  const names = /** @type {Record<string, string>} */ ({ g: gz, a, b });
  const products = PRODUCTS[`${ta ? 1 : 0}${tb ? 1 : 0}`];
  /** @param {'a' | 'b'} which */
  const grad = (which) => {
    const [l, r, pa, pb] = products[`d${which}`];
    const full = ctx.emit('MatMul', [names[l], names[r]], { transpose_a: pa, transpose_b: pb }, `d${which}_full`);
    // the product has the broadcast batch dims of the output and the matrix dims of the operand
    const from = [...ctx.shape(y).slice(0, -2), ...ctx.shape(which === 'a' ? a : b).slice(-2)];
    return ctx.sumTo(full, from, which === 'a' ? a : b, `d${which}`);
  };
  return [
    needs[0] ? grad('a') : null,
    needs[1] ? grad('b') : null,
    bias && needs[2] ? ctx.sumTo(gz, ctx.shape(y), bias, 'dbias') : null,
  ];
};

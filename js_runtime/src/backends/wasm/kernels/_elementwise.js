/**
 * The elementwise family as a table: unary ops `(x, y, n[, extra])`, binary ops with numpy
 * broadcasting `(a, b, y, *wg_broadcast_params)`.
 * @module
 */

import { rightAlign, writeBroadcastParams } from '../params.js';

/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('./_context.js').Kernel} Kernel */
/** @typedef {import('../../interface.js').View} View */

/** Unary ops and the extra argument each takes from its attributes. */
export const UNARY = Object.freeze({
  Relu: null,
  Relu6: null,
  Sigmoid: null,
  Tanh: null,
  Exp: null,
  Log: null,
  Sqrt: null,
  LeakyRelu: (/** @type {any} */ a) => a.alpha,
  Gelu: (/** @type {any} */ a) => (a.approximate ? 1 : 0),
});

/** Binary ops (numpy broadcasting). */
export const BINARY = Object.freeze(['Add', 'Sub', 'Mul', 'Div', 'Maximum', 'Minimum']);

/**
 * @param {Ctx} ctx
 * @param {string} op
 * @returns {Kernel}
 */
export function unaryKernel(ctx, op) {
  const fn = ctx.ex[`wg_${op}`];
  const extra = UNARY[/** @type {keyof typeof UNARY} */ (op)];
  return extra
    ? (inputs, attrs, y) => ctx.check(op, fn(ctx.ptr(inputs[0]), ctx.ptr(y), y.data.length, extra(attrs)))
    : (inputs, _attrs, y) => ctx.check(op, fn(ctx.ptr(inputs[0]), ctx.ptr(y), y.data.length));
}

/**
 * @param {Ctx} ctx
 * @param {string} op
 * @returns {Kernel}
 */
export function binaryKernel(ctx, op) {
  const fn = ctx.ex[`wg_${op}`];
  return (inputs, _attrs, y) => {
    const a = /** @type {View} */ (inputs[0]);
    const b = /** @type {View} */ (inputs[1]);
    const rank = y.shape.length;
    writeBroadcastParams(ctx.dv(), ctx.params, {
      rank,
      outShape: y.shape,
      aShape: rightAlign(a.shape, rank),
      bShape: rightAlign(b.shape, rank),
    });
    ctx.check(op, fn(ctx.ptr(a), ctx.ptr(b), ctx.ptr(y), ctx.params));
  };
}

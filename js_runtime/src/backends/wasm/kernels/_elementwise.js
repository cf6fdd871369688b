/**
 * The elementwise family as a table: unary ops `(x, y, n[, extra])`, binary ops with numpy
 * broadcasting `(a, b, y, *wg_broadcast_params)`.
 * @module
 */

import { rightAlign, writeBroadcastParams, writeWhereParams } from '../params.js';

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
  Floor: null,
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

/** Comparisons (numpy broadcasting, float32 or int32 operands, a float32 mask out). */
export const COMPARE = Object.freeze(['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual']);

/**
 * Writes the broadcast params of `a` and `b` over `y`'s shape into the params region.
 * @param {Ctx} ctx @param {View} a @param {View} b @param {View} y
 */
function writeBroadcast(ctx, a, b, y) {
  const rank = y.shape.length;
  writeBroadcastParams(ctx.dv(), ctx.params, {
    rank,
    outShape: y.shape,
    aShape: rightAlign(a.shape, rank),
    bShape: rightAlign(b.shape, rank),
  });
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
    writeBroadcast(ctx, a, b, y);
    ctx.check(op, fn(ctx.ptr(a), ctx.ptr(b), ctx.ptr(y), ctx.params));
  };
}

/**
 * A comparison: the binary walk with the operands' dtype (`is_int`).
 * @param {Ctx} ctx
 * @param {string} op
 * @returns {Kernel}
 */
export function compareKernel(ctx, op) {
  const fn = ctx.ex[`wg_${op}`];
  return (inputs, _attrs, y) => {
    const a = /** @type {View} */ (inputs[0]);
    const b = /** @type {View} */ (inputs[1]);
    writeBroadcast(ctx, a, b, y);
    ctx.check(op, fn(ctx.ptr(a), ctx.ptr(b), ctx.ptr(y), ctx.params, a.dtype === 'int32' ? 1 : 0));
  };
}

/**
 * A unary op over float32 or int32 (Abs, Sign): `wg_<op>(x, y, n, is_int)`.
 * @param {Ctx} ctx
 * @param {string} op
 * @returns {Kernel}
 */
export function typedUnaryKernel(ctx, op) {
  const fn = ctx.ex[`wg_${op}`];
  return (inputs, _attrs, y) => {
    const x = /** @type {View} */ (inputs[0]);
    ctx.check(op, fn(ctx.ptr(x), ctx.ptr(y), y.data.length, x.dtype === 'int32' ? 1 : 0));
  };
}

/** Where(cond, x, y): `wg_Where(cond, x, y, out, *wg_where_params)`. @param {Ctx} ctx @returns {Kernel} */
export function Where(ctx) {
  return (inputs, _attrs, out) => {
    const rank = out.shape.length;
    const [c, x, y] = /** @type {[View, View, View]} */ (inputs);
    writeWhereParams(ctx.dv(), ctx.params, {
      rank,
      outShape: out.shape,
      condShape: rightAlign(c.shape, rank),
      xShape: rightAlign(x.shape, rank),
      yShape: rightAlign(y.shape, rank),
    });
    ctx.check('Where', ctx.ex.wg_Where(ctx.ptr(c), ctx.ptr(x), ctx.ptr(y), ctx.ptr(out), ctx.params));
  };
}

/**
 * The wasm kernels of the smaller ops, one factory each: fill the sizes (or params struct) and call
 * `wg_<Op>`.
 * @module
 */

import { aroundAxis } from '../../../math/axis.js';
import { normAxis, sizeOf } from '../../../shapes.js';
import { padPairs, sliceParams as resolveSlice, sliceRange } from '../../../shape_rules.js';
import { WebgradError } from '../../../errors.js';
import { DTYPE_CODES, writeSliceParams, writeTransposeParams } from '../params.js';
import { PARAMS_BYTES } from './_context.js';

/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('./_context.js').Kernel} Kernel */
/** @typedef {import('../../interface.js').View} View */

/** @param {(View | null)[]} inputs @param {number} i */
const at = (inputs, i) => /** @type {View} */ (inputs[i]);

/** BatchNorm over the last axis: `wg_BatchNorm(x, scale, bias, mean, var, y, rows, C, eps)`. @param {Ctx} ctx @returns {Kernel} */
export function BatchNorm(ctx) {
  return (inputs, attrs, y) => {
    const x = at(inputs, 0);
    const c = x.shape[x.shape.length - 1];
    const [s, b, m, v] = [1, 2, 3, 4].map((i) => ctx.ptr(inputs[i]));
    ctx.check(
      'BatchNorm',
      ctx.ex.wg_BatchNorm(ctx.ptr(x), s, b, m, v, ctx.ptr(y), c ? x.data.length / c : 0, c, attrs.epsilon),
    );
  };
}

/** LayerNorm over `shape[axis:]`: `wg_LayerNorm(x, gamma, beta, y, rows, G, eps)`. @param {Ctx} ctx @returns {Kernel} */
export function LayerNorm(ctx) {
  return (inputs, attrs, y) => {
    const x = at(inputs, 0);
    const g = sizeOf(x.shape.slice(normAxis('LayerNorm', attrs.axis, x.shape.length)));
    ctx.check(
      'LayerNorm',
      ctx.ex.wg_LayerNorm(
        ctx.ptr(x),
        ctx.ptr(inputs[1]),
        ctx.ptr(inputs[2]),
        ctx.ptr(y),
        g ? x.data.length / g : 0,
        g,
        attrs.epsilon,
      ),
    );
  };
}

/** GlobalAvgPool (NHWC): `wg_GlobalAvgPool(x, y, N, H·W, C)`. @param {Ctx} ctx @returns {Kernel} */
export function GlobalAvgPool(ctx) {
  return (inputs, _attrs, y) => {
    const [n, h, w, c] = at(inputs, 0).shape;
    ctx.check('GlobalAvgPool', ctx.ex.wg_GlobalAvgPool(ctx.ptr(inputs[0]), ctx.ptr(y), n, h * w, c));
  };
}

/** Reshape / Flatten as a copy of 4-byte elements (the executor aliases them instead). @param {Ctx} ctx @param {'Reshape' | 'Flatten'} op @returns {Kernel} */
export function copyKernel(ctx, op) {
  return (inputs, _attrs, y) => ctx.check(op, ctx.ex[`wg_${op}`](ctx.ptr(inputs[0]), ctx.ptr(y), y.data.length));
}

/** Transpose of 4-byte elements by `perm`. @param {Ctx} ctx @returns {Kernel} */
export function Transpose(ctx) {
  return (inputs, attrs, y) => {
    const x = at(inputs, 0);
    const perm = attrs.perm ?? x.shape.map((_, i) => x.shape.length - 1 - i);
    writeTransposeParams(ctx.dv(), ctx.params, { rank: x.shape.length, shape: x.shape, perm });
    ctx.check('Transpose', ctx.ex.wg_Transpose(ctx.ptr(x), ctx.ptr(y), ctx.params));
  };
}

/** Slice with numpy semantics resolved here into starts/steps/out per axis. @param {Ctx} ctx @returns {Kernel} */
export function Slice(ctx) {
  return (inputs, attrs, y) => {
    const x = at(inputs, 0);
    const rank = x.shape.length;
    const p = resolveSlice(rank, attrs);
    const starts = new Array(rank).fill(0);
    const steps = new Array(rank).fill(1);
    p.axes.forEach((axis, i) => {
      const [start, count] = sliceRange(x.shape[axis], p.starts[i], p.ends[i], p.steps[i]);
      starts[axis] = count ? start : 0;
      steps[axis] = p.steps[i];
    });
    writeSliceParams(ctx.dv(), ctx.params, { rank, inShape: x.shape, outShape: y.shape, starts, steps });
    ctx.check('Slice', ctx.ex.wg_Slice(ctx.ptr(x), ctx.ptr(y), ctx.params));
  };
}

/** The 4 bytes of Pad's fill value as its dtype stores them (float32 bits or an int32). */
const fillBits = new DataView(new ArrayBuffer(4));

/**
 * Pad: `wg_Pad(x, y, params, value_bits)` with the slice params as SliceGrad's (in_shape y's, out_shape
 * x's, starts the pads before each axis).
 * @param {Ctx} ctx @returns {Kernel}
 */
export function Pad(ctx) {
  return (inputs, attrs, y) => {
    const x = at(inputs, 0);
    const rank = x.shape.length;
    const starts = padPairs(rank, attrs, x.dtype).map(([before]) => before);
    writeSliceParams(ctx.dv(), ctx.params, {
      rank,
      inShape: y.shape,
      outShape: x.shape,
      starts,
      steps: starts.map(() => 1),
    });
    if (x.dtype === 'int32') fillBits.setInt32(0, attrs.value, true);
    else fillBits.setFloat32(0, attrs.value, true);
    ctx.check('Pad', ctx.ex.wg_Pad(ctx.ptr(x), ctx.ptr(y), ctx.params, fillBits.getInt32(0, true)));
  };
}

/** Concat along `axis`: pointer and size arrays written to the params region. @param {Ctx} ctx @returns {Kernel} */
export function Concat(ctx) {
  return (inputs, attrs, y) => {
    const axis = normAxis('Concat', attrs.axis, y.shape.length);
    const count = inputs.length;
    if (count * 8 > PARAMS_BYTES)
      throw new WebgradError('EBACKEND', `wasm Concat: at most ${PARAMS_BYTES / 8} inputs, got ${count}`);
    const dv = ctx.dv();
    const xs = ctx.params;
    const sizes = xs + 4 * count;
    inputs.forEach((v, i) => {
      const x = /** @type {View} */ (v);
      dv.setUint32(xs + 4 * i, ctx.ptr(x), true);
      dv.setInt32(sizes + 4 * i, sizeOf(x.shape.slice(axis)), true);
    });
    ctx.check('Concat', ctx.ex.wg_Concat(xs, sizes, count, sizeOf(y.shape.slice(0, axis)), ctx.ptr(y)));
  };
}

/** Gather rows along `axis` (an out-of-range index gives a zero row). @param {Ctx} ctx @returns {Kernel} */
export function Gather(ctx) {
  return (inputs, attrs, y) => {
    const data = at(inputs, 0);
    const idx = at(inputs, 1);
    const [outer, n, inner] = aroundAxis('Gather', data.shape, attrs.axis);
    ctx.check('Gather', ctx.ex.wg_Gather(ctx.ptr(data), ctx.ptr(idx), ctx.ptr(y), outer, n, inner, idx.data.length));
  };
}

/** Cast between the dtypes by code. @param {Ctx} ctx @returns {Kernel} */
export function Cast(ctx) {
  return (inputs, attrs, y) => {
    const x = at(inputs, 0);
    const code = (/** @type {string} */ d) => DTYPE_CODES[/** @type {keyof typeof DTYPE_CODES} */ (d)];
    ctx.check('Cast', ctx.ex.wg_Cast(ctx.ptr(x), ctx.ptr(y), x.data.length, code(x.dtype), code(attrs.to)));
  };
}

/** Dequantize float16/int8/uint8 per tensor (axis null) or per channel. @param {Ctx} ctx @returns {Kernel} */
export function Dequantize(ctx) {
  return (inputs, attrs, y) => {
    const x = at(inputs, 0);
    const [outer, channels, inner] =
      attrs.axis === null || attrs.axis === undefined
        ? [1, 1, x.data.length]
        : aroundAxis('Dequantize', x.shape, attrs.axis);
    const code = DTYPE_CODES[/** @type {keyof typeof DTYPE_CODES} */ (x.dtype)];
    ctx.check(
      'Dequantize',
      ctx.ex.wg_Dequantize(
        ctx.ptr(x),
        ctx.ptr(inputs[1] ?? null),
        ctx.ptr(inputs[2] ?? null),
        ctx.ptr(y),
        code,
        outer,
        channels,
        inner,
      ),
    );
  };
}

/**
 * The wasm kernels of the gradient ops (the op set's `gradOps`; C in `wasm_kernels/src/grad/<Op>.c`):
 * each fills the sizes or params struct from the shapes and attributes and calls `wg_<Op>`. `like`
 * inputs are read for their shape only (their data is never touched, so they need not be in linear
 * memory). `tests/wasm_harness.py::run_grad` makes the same calls from Python.
 * @module
 */

import { aroundAxis } from '../../../math/axis.js';
import { normAxes, normAxis, sizeOf } from '../../../shapes.js';
import { sliceParams as resolveSlice, sliceRange } from '../../../shape_rules.js';
import { poolWindow } from '../../../window.js';
import { WebgradError } from '../../../errors.js';
import {
  ACTIVATIONS,
  rightAlign,
  writeBroadcastParams,
  writeConv2dParams,
  writePool2dParams,
  writeReduceParams,
  writeSliceParams,
} from '../params.js';
import { conv2dFields } from './Conv2D.js';

/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('./_context.js').Kernel} Kernel */
/** @typedef {import('../../interface.js').View} View */

/** @param {(View | null)[]} inputs @param {number} i */
const at = (inputs, i) => /** @type {View} */ (inputs[i]);

/** Bit d set for every axis in `axes` (null: all) of a rank-`rank` shape. @param {string} op @param {any} axes @param {number} rank */
const maskOf = (op, axes, rank) => normAxes(op, axes ?? null, rank).reduce((m, a) => m | (1 << a), 0);

/** The `wrt` codes of LayerNormGrad / BatchNormGrad. */
const WRT = /** @type {Record<string, number>} */ ({ x: 0, gamma: 1, scale: 1, beta: 2, bias: 2 });

/** SumTo(g, like): ReduceSum of g over the dims broadcast away (`wg_SumTo`). @param {Ctx} ctx @returns {Kernel} */
function SumTo(ctx) {
  return (inputs, _attrs, y) => {
    const g = at(inputs, 0);
    const rank = g.shape.length;
    const like = rightAlign(at(inputs, 1).shape, rank);
    const lead = rank - at(inputs, 1).shape.length;
    let axesMask = 0;
    for (let d = 0; d < rank; d++) if (d < lead || (like[d] === 1 && g.shape[d] !== 1)) axesMask |= 1 << d;
    writeReduceParams(ctx.dv(), ctx.params, { rank, shape: g.shape, axesMask });
    ctx.check('SumTo', ctx.ex.wg_SumTo(ctx.ptr(g), ctx.ptr(y), ctx.params));
  };
}

/** BroadcastLike(g, like): g spread over like's reduced axes, divided by their count when `mean`. @param {Ctx} ctx @returns {Kernel} */
function BroadcastLike(ctx) {
  return (inputs, attrs, y) => {
    const shape = y.shape;
    const axes = normAxes('BroadcastLike', attrs.axes ?? null, shape.length);
    const count = sizeOf(axes.map((a) => shape[a]));
    const axesMask = axes.reduce((m, a) => m | (1 << a), 0);
    writeReduceParams(ctx.dv(), ctx.params, { rank: shape.length, shape, axesMask });
    const divisor = attrs.mean && count > 0 ? count : 1;
    ctx.check('BroadcastLike', ctx.ex.wg_BroadcastLike(ctx.ptr(inputs[0]), ctx.ptr(y), ctx.params, divisor));
  };
}

/** ReduceMaxGrad(g, x, y): g split evenly among each reduced group's maxima. @param {Ctx} ctx @returns {Kernel} */
function ReduceMaxGrad(ctx) {
  return (inputs, attrs, out) => {
    const x = at(inputs, 1);
    const rank = x.shape.length;
    writeReduceParams(ctx.dv(), ctx.params, {
      rank,
      shape: x.shape,
      axesMask: maskOf('ReduceMaxGrad', attrs.axes, rank),
    });
    const [g, xp, yp] = [0, 1, 2].map((i) => ctx.ptr(inputs[i]));
    ctx.check('ReduceMaxGrad', ctx.ex.wg_ReduceMaxGrad(g, xp, yp, ctx.ptr(out), ctx.params));
  };
}

/** ActivationGrad(g, x, y): g * act'(x). @param {Ctx} ctx @returns {Kernel} */
function ActivationGrad(ctx) {
  return (inputs, attrs, out) => {
    const act = ACTIVATIONS.indexOf(attrs.activation ?? 'none');
    const [g, x, y] = [0, 1, 2].map((i) => ctx.ptr(inputs[i]));
    const approximate = attrs.approximate ? 1 : 0;
    ctx.check(
      'ActivationGrad',
      ctx.ex.wg_ActivationGrad(g, x, y, ctx.ptr(out), out.data.length, act, attrs.alpha ?? 0.2, approximate),
    );
  };
}

/** MaxMinGrad(g, a, b): g where `side` is selected by Maximum / Minimum (ties to a). @param {Ctx} ctx @returns {Kernel} */
function MaxMinGrad(ctx) {
  return (inputs, attrs, out) => {
    const rank = out.shape.length;
    writeBroadcastParams(ctx.dv(), ctx.params, {
      rank,
      outShape: out.shape,
      aShape: rightAlign(at(inputs, 1).shape, rank),
      bShape: rightAlign(at(inputs, 2).shape, rank),
    });
    const [g, a, b] = [0, 1, 2].map((i) => ctx.ptr(inputs[i]));
    const isMin = attrs.op === 'min' ? 1 : 0;
    const sideB = attrs.side === 'b' ? 1 : 0;
    ctx.check('MaxMinGrad', ctx.ex.wg_MaxMinGrad(g, a, b, ctx.ptr(out), ctx.params, isMin, sideB));
  };
}

/** SoftmaxGrad / LogSoftmaxGrad(g, y) along `axis`. @param {Ctx} ctx @param {'SoftmaxGrad' | 'LogSoftmaxGrad'} op @returns {Kernel} */
function softmaxGradKernel(ctx, op) {
  const fn = ctx.ex[`wg_${op}`];
  return (inputs, attrs, out) => {
    const [outer, n, inner] = aroundAxis(op, out.shape, attrs.axis ?? -1);
    ctx.check(op, fn(ctx.ptr(inputs[0]), ctx.ptr(inputs[1]), ctx.ptr(out), outer, n, inner));
  };
}

/**
 * Conv2DBackpropInput(g, w, like_x) / Conv2DBackpropFilter(x, g, like_w): the forward conv's params
 * (no activation, unpacked filter).
 * @param {Ctx} ctx @param {'Conv2DBackpropInput' | 'Conv2DBackpropFilter'} op @returns {Kernel}
 */
function convGradKernel(ctx, op) {
  const fn = ctx.ex[`wg_${op}`];
  const input = op === 'Conv2DBackpropInput';
  return (inputs, attrs, out) => {
    const xs = input ? out.shape : at(inputs, 0).shape;
    const ws = input ? at(inputs, 1).shape : out.shape;
    const conv = {
      strides: attrs.strides ?? [1, 1],
      padding: attrs.padding ?? 'VALID',
      dilations: attrs.dilations ?? [1, 1],
      groups: attrs.groups ?? 1,
      activation: 'none',
      alpha: 0,
    };
    writeConv2dParams(ctx.dv(), ctx.params, conv2dFields(xs, ws, conv, false));
    ctx.check(op, fn(ctx.ptr(inputs[0]), ctx.ptr(inputs[1]), ctx.ptr(out), ctx.params));
  };
}

/** MaxPool2DGrad(g, x) / AvgPool2DGrad(g, like_x), NHWC. @param {Ctx} ctx @param {'MaxPool2DGrad' | 'AvgPool2DGrad'} op @returns {Kernel} */
function poolGradKernel(ctx, op) {
  const fn = ctx.ex[`wg_${op}`];
  const isMax = op === 'MaxPool2DGrad';
  return (inputs, attrs, out) => {
    const [N, H, W, C] = out.shape;
    const win = poolWindow(
      op,
      out.shape,
      /** @type {any} */ ({ pool_size: [2, 2], strides: [2, 2], padding: 'VALID', ...attrs }),
    );
    writePool2dParams(ctx.dv(), ctx.params, {
      N,
      H,
      W,
      C,
      OH: /** @type {number} */ (win.out[0]),
      OW: /** @type {number} */ (win.out[1]),
      KH: win.kernel[0],
      KW: win.kernel[1],
      strideH: win.strides[0],
      strideW: win.strides[1],
      padTop: /** @type {number} */ (win.pads[0]),
      padLeft: /** @type {number} */ (win.pads[2]),
    });
    const g = ctx.ptr(inputs[0]);
    ctx.check(op, isMax ? fn(g, ctx.ptr(inputs[1]), ctx.ptr(out), ctx.params) : fn(g, ctx.ptr(out), ctx.params));
  };
}

/** LayerNormGrad(g, x, gamma): the gradient for `wrt` over `shape[axis:]`. @param {Ctx} ctx @returns {Kernel} */
function LayerNormGrad(ctx) {
  return (inputs, attrs, out) => {
    const x = at(inputs, 1);
    const G = sizeOf(x.shape.slice(normAxis('LayerNormGrad', attrs.axis ?? -1, x.shape.length)));
    const [g, xp, gamma] = [0, 1, 2].map((i) => ctx.ptr(inputs[i]));
    const rows = G ? x.data.length / G : 0;
    const fn = ctx.ex.wg_LayerNormGrad;
    ctx.check('LayerNormGrad', fn(g, xp, gamma, ctx.ptr(out), rows, G, attrs.epsilon ?? 1e-3, WRT[attrs.wrt]));
  };
}

/** BatchNormGrad(g, x, scale, mean, var) over the last axis, for `wrt`. @param {Ctx} ctx @returns {Kernel} */
function BatchNormGrad(ctx) {
  return (inputs, attrs, out) => {
    const x = at(inputs, 1);
    const C = x.shape[x.shape.length - 1];
    const p = [0, 1, 2, 3, 4].map((i) => ctx.ptr(inputs[i]));
    const rows = C ? x.data.length / C : 0;
    const fn = ctx.ex.wg_BatchNormGrad;
    ctx.check('BatchNormGrad', fn(...p, ctx.ptr(out), rows, C, attrs.epsilon ?? 1e-3, WRT[attrs.wrt]));
  };
}

/** SliceGrad(g, like_x): zeros with g where Slice read (numpy slice rules resolved here). @param {Ctx} ctx @returns {Kernel} */
function SliceGrad(ctx) {
  return (inputs, attrs, out) => {
    const inShape = out.shape;
    const rank = inShape.length;
    const p = resolveSlice(rank, attrs);
    const starts = new Array(rank).fill(0);
    const steps = new Array(rank).fill(1);
    p.axes.forEach((axis, i) => {
      const [start, count] = sliceRange(inShape[axis], p.starts[i], p.ends[i], p.steps[i]);
      starts[axis] = count ? start : 0;
      steps[axis] = p.steps[i];
    });
    writeSliceParams(ctx.dv(), ctx.params, { rank, inShape, outShape: at(inputs, 0).shape, starts, steps });
    ctx.check('SliceGrad', ctx.ex.wg_SliceGrad(ctx.ptr(inputs[0]), ctx.ptr(out), ctx.params));
  };
}

/** GatherGrad(g, indices, like_data): scatter-add along `axis`; an index outside [-n, n) is EINDEX. @param {Ctx} ctx @returns {Kernel} */
function GatherGrad(ctx) {
  return (inputs, attrs, out) => {
    const idx = at(inputs, 1);
    const [outer, n, inner] = aroundAxis('GatherGrad', out.shape, attrs.axis ?? 0);
    const I = idx.data;
    for (let j = 0; j < I.length; j++)
      if (I[j] < -n || I[j] >= n)
        throw new WebgradError(
          'EINDEX',
          `GatherGrad: index ${I[j]} is out of range for axis ${attrs.axis ?? 0} of size ${n} (data shape [${out.shape.join(', ')}]); indices must be in [-${n}, ${n})`,
        );
    const fn = ctx.ex.wg_GatherGrad;
    ctx.check('GatherGrad', fn(ctx.ptr(inputs[0]), ctx.ptr(idx), ctx.ptr(out), outer, n, inner, I.length));
  };
}

/** ReshapeLike(g, like): g's data in like's shape (a copy; nothing to do when the executor aliases). @param {Ctx} ctx @returns {Kernel} */
function ReshapeLike(ctx) {
  return (inputs, _attrs, out) => {
    const g = at(inputs, 0);
    if (g.data.buffer === out.data.buffer && g.data.byteOffset === out.data.byteOffset) return;
    ctx.check('ReshapeLike', ctx.ex.wg_ReshapeLike(ctx.ptr(g), ctx.ptr(out), out.data.length));
  };
}

/**
 * Every gradient kernel, bound to the instance behind `ctx`.
 * @param {Ctx} ctx
 * @returns {Record<string, Kernel>}
 */
export function makeGradKernels(ctx) {
  return {
    SumTo: SumTo(ctx),
    BroadcastLike: BroadcastLike(ctx),
    ReduceMaxGrad: ReduceMaxGrad(ctx),
    ActivationGrad: ActivationGrad(ctx),
    MaxMinGrad: MaxMinGrad(ctx),
    SoftmaxGrad: softmaxGradKernel(ctx, 'SoftmaxGrad'),
    LogSoftmaxGrad: softmaxGradKernel(ctx, 'LogSoftmaxGrad'),
    Conv2DBackpropInput: convGradKernel(ctx, 'Conv2DBackpropInput'),
    Conv2DBackpropFilter: convGradKernel(ctx, 'Conv2DBackpropFilter'),
    MaxPool2DGrad: poolGradKernel(ctx, 'MaxPool2DGrad'),
    AvgPool2DGrad: poolGradKernel(ctx, 'AvgPool2DGrad'),
    LayerNormGrad: LayerNormGrad(ctx),
    BatchNormGrad: BatchNormGrad(ctx),
    SliceGrad: SliceGrad(ctx),
    GatherGrad: GatherGrad(ctx),
    ReshapeLike: ReshapeLike(ctx),
  };
}

/**
 * The wasm kernel table of one instance: `{[op]: Kernel}` for every op of the op set.
 * @module
 */

import {
  BINARY,
  COMPARE,
  UNARY,
  Where,
  binaryKernel,
  compareKernel,
  typedUnaryKernel,
  unaryKernel,
} from './_elementwise.js';
import { MatMul } from './MatMul.js';
import { Conv2D, Conv2DTranspose } from './Conv2D.js';
import { poolKernel } from './_pool.js';
import { reduceKernel } from './_reduce.js';
import { axisKernel } from './_axis.js';
import { makeGradKernels } from './grad.js';
import {
  BatchNorm,
  Cast,
  Concat,
  Dequantize,
  Gather,
  GlobalAvgPool,
  LayerNorm,
  Pad,
  Slice,
  Transpose,
  copyKernel,
} from './ops.js';

/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('./_context.js').Kernel} Kernel */

/**
 * Every kernel, bound to the instance behind `ctx`.
 * @param {Ctx} ctx
 * @returns {Readonly<Record<string, Kernel>>}
 */
export function makeKernels(ctx) {
  /** @type {Record<string, Kernel>} */
  const k = {};
  for (const op of Object.keys(UNARY)) k[op] = unaryKernel(ctx, op);
  for (const op of BINARY) k[op] = binaryKernel(ctx, op);
  for (const op of COMPARE) k[op] = compareKernel(ctx, op);
  k.Abs = typedUnaryKernel(ctx, 'Abs');
  k.Sign = typedUnaryKernel(ctx, 'Sign');
  k.Where = Where(ctx);
  k.MatMul = MatMul(ctx);
  k.Conv2D = Conv2D(ctx);
  k.Conv2DTranspose = Conv2DTranspose(ctx);
  k.MaxPool2D = poolKernel(ctx, 'MaxPool2D');
  k.AvgPool2D = poolKernel(ctx, 'AvgPool2D');
  k.ReduceSum = reduceKernel(ctx, 'ReduceSum');
  k.ReduceMean = reduceKernel(ctx, 'ReduceMean');
  k.ReduceMax = reduceKernel(ctx, 'ReduceMax');
  k.Softmax = axisKernel(ctx, 'Softmax');
  k.LogSoftmax = axisKernel(ctx, 'LogSoftmax');
  k.ArgMax = axisKernel(ctx, 'ArgMax');
  k.Reshape = copyKernel(ctx, 'Reshape');
  k.Flatten = copyKernel(ctx, 'Flatten');
  Object.assign(k, {
    BatchNorm: BatchNorm(ctx),
    LayerNorm: LayerNorm(ctx),
    GlobalAvgPool: GlobalAvgPool(ctx),
    Transpose: Transpose(ctx),
    Slice: Slice(ctx),
    Pad: Pad(ctx),
    Concat: Concat(ctx),
    Gather: Gather(ctx),
    Cast: Cast(ctx),
    Dequantize: Dequantize(ctx),
  });
  Object.assign(k, makeGradKernels(ctx)); // the gradient ops (training)
  return Object.freeze(k);
}

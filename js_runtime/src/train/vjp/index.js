/**
 * The VJP rules, one file per differentiable op of the op set (vjp/<Op>.js), keyed by op name. Ops the
 * op set marks non-differentiable (ArgMax, Cast, Dequantize) have none: no gradient flows through them.
 * tests/node/autodiff.test.mjs checks every differentiable op is here.
 * @module
 */

import { Add } from './Add.js';
import { AvgPool2D } from './AvgPool2D.js';
import { BatchNorm } from './BatchNorm.js';
import { Concat } from './Concat.js';
import { Conv2D } from './Conv2D.js';
import { Conv2DTranspose } from './Conv2DTranspose.js';
import { Div } from './Div.js';
import { Exp } from './Exp.js';
import { Flatten } from './Flatten.js';
import { Gather } from './Gather.js';
import { Gelu } from './Gelu.js';
import { GlobalAvgPool } from './GlobalAvgPool.js';
import { LayerNorm } from './LayerNorm.js';
import { LeakyRelu } from './LeakyRelu.js';
import { Log } from './Log.js';
import { LogSoftmax } from './LogSoftmax.js';
import { MatMul } from './MatMul.js';
import { MaxPool2D } from './MaxPool2D.js';
import { Maximum } from './Maximum.js';
import { Minimum } from './Minimum.js';
import { Mul } from './Mul.js';
import { Pad } from './Pad.js';
import { Where } from './Where.js';
import { Abs } from './Abs.js';
import { ReduceMax } from './ReduceMax.js';
import { ReduceMean } from './ReduceMean.js';
import { ReduceSum } from './ReduceSum.js';
import { Relu } from './Relu.js';
import { Relu6 } from './Relu6.js';
import { Reshape } from './Reshape.js';
import { Sigmoid } from './Sigmoid.js';
import { Slice } from './Slice.js';
import { Softmax } from './Softmax.js';
import { Sqrt } from './Sqrt.js';
import { Sub } from './Sub.js';
import { Tanh } from './Tanh.js';
import { Transpose } from './Transpose.js';

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {Readonly<Record<string, VjpRule>>} */
export const VJP_RULES = Object.freeze({
  Add,
  AvgPool2D,
  BatchNorm,
  Concat,
  Conv2D,
  Conv2DTranspose,
  Div,
  Exp,
  Flatten,
  Gather,
  Gelu,
  GlobalAvgPool,
  LayerNorm,
  LeakyRelu,
  Log,
  LogSoftmax,
  MatMul,
  MaxPool2D,
  Maximum,
  Minimum,
  Mul,
  Pad,
  Where,
  Abs,
  ReduceMax,
  ReduceMean,
  ReduceSum,
  Relu,
  Relu6,
  Reshape,
  Sigmoid,
  Slice,
  Softmax,
  Sqrt,
  Sub,
  Tanh,
  Transpose,
});

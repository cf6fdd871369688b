/**
 * The js backend's kernels, one file per op named exactly as the op (kernels/<Op>.js), keyed by op
 * name, then the gradient ops' kernels (kernels/grad/<Op>.js). tests/node/kernels.test.mjs checks every op
 * of the op set is here; tests/node/grad_kernels.test.mjs runs the gradient ops' vectors.
 * @module
 */

import { MatMul } from './MatMul.js';
import { Add } from './Add.js';
import { Sub } from './Sub.js';
import { Mul } from './Mul.js';
import { Div } from './Div.js';
import { Maximum } from './Maximum.js';
import { Minimum } from './Minimum.js';
import { Greater } from './Greater.js';
import { GreaterEqual } from './GreaterEqual.js';
import { Less } from './Less.js';
import { LessEqual } from './LessEqual.js';
import { Equal } from './Equal.js';
import { NotEqual } from './NotEqual.js';
import { Where } from './Where.js';
import { Relu } from './Relu.js';
import { Relu6 } from './Relu6.js';
import { LeakyRelu } from './LeakyRelu.js';
import { Gelu } from './Gelu.js';
import { Sigmoid } from './Sigmoid.js';
import { Tanh } from './Tanh.js';
import { Exp } from './Exp.js';
import { Log } from './Log.js';
import { Sqrt } from './Sqrt.js';
import { Abs } from './Abs.js';
import { Sign } from './Sign.js';
import { Floor } from './Floor.js';
import { Softmax } from './Softmax.js';
import { LogSoftmax } from './LogSoftmax.js';
import { Conv2D } from './Conv2D.js';
import { Conv2DTranspose } from './Conv2DTranspose.js';
import { MaxPool2D } from './MaxPool2D.js';
import { AvgPool2D } from './AvgPool2D.js';
import { GlobalAvgPool } from './GlobalAvgPool.js';
import { BatchNorm } from './BatchNorm.js';
import { LayerNorm } from './LayerNorm.js';
import { Reshape } from './Reshape.js';
import { Flatten } from './Flatten.js';
import { Transpose } from './Transpose.js';
import { Concat } from './Concat.js';
import { Slice } from './Slice.js';
import { Pad } from './Pad.js';
import { Gather } from './Gather.js';
import { ReduceSum } from './ReduceSum.js';
import { ReduceMean } from './ReduceMean.js';
import { ReduceMax } from './ReduceMax.js';
import { ArgMax } from './ArgMax.js';
import { Cast } from './Cast.js';
import { Dequantize } from './Dequantize.js';
// the gradient ops (opset.json's gradOps), which training graphs use and bundles never do
import { SumTo } from './grad/SumTo.js';
import { BroadcastLike } from './grad/BroadcastLike.js';
import { ActivationGrad } from './grad/ActivationGrad.js';
import { MaxMinGrad } from './grad/MaxMinGrad.js';
import { SoftmaxGrad } from './grad/SoftmaxGrad.js';
import { LogSoftmaxGrad } from './grad/LogSoftmaxGrad.js';
import { Conv2DBackpropInput } from './grad/Conv2DBackpropInput.js';
import { Conv2DBackpropFilter } from './grad/Conv2DBackpropFilter.js';
import { MaxPool2DGrad } from './grad/MaxPool2DGrad.js';
import { AvgPool2DGrad } from './grad/AvgPool2DGrad.js';
import { LayerNormGrad } from './grad/LayerNormGrad.js';
import { BatchNormGrad } from './grad/BatchNormGrad.js';
import { SliceGrad } from './grad/SliceGrad.js';
import { GatherGrad } from './grad/GatherGrad.js';
import { ReduceMaxGrad } from './grad/ReduceMaxGrad.js';
import { ReshapeLike } from './grad/ReshapeLike.js';

/** @type {Readonly<Record<string, import('../../interface.js').Kernel>>} */
export const KERNELS = Object.freeze({
  MatMul,
  Add,
  Sub,
  Mul,
  Div,
  Maximum,
  Minimum,
  Greater,
  GreaterEqual,
  Less,
  LessEqual,
  Equal,
  NotEqual,
  Where,
  Relu,
  Relu6,
  LeakyRelu,
  Gelu,
  Sigmoid,
  Tanh,
  Exp,
  Log,
  Sqrt,
  Abs,
  Sign,
  Floor,
  Softmax,
  LogSoftmax,
  Conv2D,
  Conv2DTranspose,
  MaxPool2D,
  AvgPool2D,
  GlobalAvgPool,
  BatchNorm,
  LayerNorm,
  Reshape,
  Flatten,
  Transpose,
  Concat,
  Slice,
  Pad,
  Gather,
  ReduceSum,
  ReduceMean,
  ReduceMax,
  ArgMax,
  Cast,
  Dequantize,
  SumTo,
  BroadcastLike,
  ActivationGrad,
  MaxMinGrad,
  SoftmaxGrad,
  LogSoftmaxGrad,
  Conv2DBackpropInput,
  Conv2DBackpropFilter,
  MaxPool2DGrad,
  AvgPool2DGrad,
  LayerNormGrad,
  BatchNormGrad,
  SliceGrad,
  GatherGrad,
  ReduceMaxGrad,
  ReshapeLike,
});

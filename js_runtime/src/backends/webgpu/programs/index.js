/**
 * The WebGPU programs by op name (webgpu_shaders/README.md). Reshape and Flatten are views the executor
 * handles; they have no program.
 * @module
 */
import { packedProgram } from './uniforms.js';
import { program as Add } from './Add.js';
import { program as ArgMax } from './ArgMax.js';
import { program as AvgPool2D } from './AvgPool2D.js';
import { program as BatchNorm } from './BatchNorm.js';
import { program as Cast } from './Cast.js';
import { program as Concat } from './Concat.js';
import { program as Conv2D } from './Conv2D.js';
import { program as Conv2DTranspose } from './Conv2DTranspose.js';
import { program as Dequantize } from './Dequantize.js';
import { program as Div } from './Div.js';
import { program as Exp } from './Exp.js';
import { program as Gather } from './Gather.js';
import { program as Gelu } from './Gelu.js';
import { program as GlobalAvgPool } from './GlobalAvgPool.js';
import { program as LayerNorm } from './LayerNorm.js';
import { program as LeakyRelu } from './LeakyRelu.js';
import { program as Log } from './Log.js';
import { program as LogSoftmax } from './LogSoftmax.js';
import { program as MatMul } from './MatMul.js';
import { program as MaxPool2D } from './MaxPool2D.js';
import { program as Maximum } from './Maximum.js';
import { program as Minimum } from './Minimum.js';
import { program as Mul } from './Mul.js';
import { program as Pad } from './Pad.js';
import { program as Abs } from './Abs.js';
import { program as Sign } from './Sign.js';
import { program as Floor } from './Floor.js';
import { program as Equal } from './Equal.js';
import { program as Greater } from './Greater.js';
import { program as GreaterEqual } from './GreaterEqual.js';
import { program as Less } from './Less.js';
import { program as LessEqual } from './LessEqual.js';
import { program as NotEqual } from './NotEqual.js';
import { program as Where } from './Where.js';
import { program as ReduceMax } from './ReduceMax.js';
import { program as ReduceMean } from './ReduceMean.js';
import { program as ReduceSum } from './ReduceSum.js';
import { program as Relu } from './Relu.js';
import { program as Relu6 } from './Relu6.js';
import { program as Sigmoid } from './Sigmoid.js';
import { program as Slice } from './Slice.js';
import { program as Softmax } from './Softmax.js';
import { program as Sqrt } from './Sqrt.js';
import { program as Sub } from './Sub.js';
import { program as Tanh } from './Tanh.js';
import { program as Transpose } from './Transpose.js';

/**
 * The programs as written: their passes name their uniforms (for the checks of
 * webgpu_shaders/check_uniforms.mjs).
 * @type {Readonly<Record<string, import('./_types.js').Program>>}
 */
export const DECLARED_PROGRAMS = Object.freeze({
  Add,
  ArgMax,
  AvgPool2D,
  BatchNorm,
  Cast,
  Concat,
  Conv2D,
  Conv2DTranspose,
  Dequantize,
  Div,
  Exp,
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
  Abs,
  Sign,
  Floor,
  Equal,
  Greater,
  GreaterEqual,
  Less,
  LessEqual,
  NotEqual,
  Where,
  ReduceMax,
  ReduceMean,
  ReduceSum,
  Relu,
  Relu6,
  Sigmoid,
  Slice,
  Softmax,
  Sqrt,
  Sub,
  Tanh,
  Transpose,
});

/**
 * The programs the runtime calls: every pass's uniforms checked against its shader's `struct Params`
 * and packed into bytes by that layout (uniforms.js).
 * @type {Readonly<Record<string, import('./_types.js').PackedProgram>>}
 */
export const PROGRAMS = Object.freeze(
  Object.fromEntries(Object.entries(DECLARED_PROGRAMS).map(([op, program]) => [op, packedProgram(op, program)])),
);

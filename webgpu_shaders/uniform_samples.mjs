// Sample calls of every WebGPU program, chosen so that together they reach every shader key (each
// variant: activation, load path, kernel kind, storage type, cast target). check_uniforms.mjs runs them
// and checks each pass's named uniforms against its shader's `struct Params`; a shader key no sample
// reaches fails that check, so a new variant or program needs a line here.
//
// A sample is [inputs, attrs?]: inputs as {shape, dtype} (null = an absent optional input), attrs
// without defaults (the checker fills them from the op set and infers the output).
import { OPSET } from '../js_runtime/src/opset.js';

const t =
  (/** @type {string} */ dtype) =>
  (/** @type {number[]} */ ...shape) => ({ shape, dtype });
const f32 = t('float32');
const i32 = t('int32');
const ACTIVATIONS = OPSET.activations.values;

/** @typedef {[({shape: number[], dtype: string} | null)[], Record<string, unknown>?]} Sample */

const unary = /** @type {Sample[]} */ ([[[f32(2, 3)]]]);
const binary = /** @type {Sample[]} */ ([[[f32(2, 3), f32(3)]]]);
const rows = /** @type {Sample[]} */ ([[[f32(2, 3, 4)]]]);
const pool = /** @type {Sample[]} */ ([[[f32(1, 4, 4, 2)]]]);
const bothTypes = (/** @type {(x: typeof f32) => Sample} */ make) => [make(f32), make(i32)];
const compare = bothTypes((x) => [[x(2, 3), x(3)]]);

/** @type {Readonly<Record<string, Sample[]>>} */
export const SAMPLES = {
  Relu: unary,
  Relu6: unary,
  LeakyRelu: unary,
  Gelu: unary,
  Sigmoid: unary,
  Tanh: unary,
  Exp: unary,
  Log: unary,
  Sqrt: unary,
  Abs: bothTypes((x) => [[x(2, 3)]]),
  Sign: bothTypes((x) => [[x(2, 3)]]),
  Floor: unary,
  Add: binary,
  Sub: binary,
  Mul: binary,
  Div: binary,
  Maximum: binary,
  Minimum: binary,
  Greater: compare,
  GreaterEqual: compare,
  Less: compare,
  LessEqual: compare,
  Equal: compare,
  NotEqual: compare,
  Where: [[[f32(2, 1), f32(3), f32(2, 3)]]],
  ReduceSum: rows,
  ReduceMean: rows,
  ReduceMax: rows,
  ArgMax: rows,
  Softmax: rows,
  LogSoftmax: rows,
  GlobalAvgPool: [[[f32(1, 4, 4, 2)]]],
  LayerNorm: [[[f32(2, 4), f32(4), f32(4)]]],
  BatchNorm: [[[f32(2, 3), f32(3), f32(3), f32(3), f32(3)]]],
  MaxPool2D: pool,
  AvgPool2D: pool,
  Transpose: bothTypes((x) => [[x(2, 3)], { perm: [1, 0] }]),
  Slice: bothTypes((x) => [[x(4, 3)], { starts: [1], ends: [3] }]),
  Pad: bothTypes((x) => [[x(4, 3)], { pads: [1, 0, 0, 2], value: 1 }]),
  Concat: bothTypes((x) => [[x(2, 2), x(2, 3)]]),
  Gather: bothTypes((x) => [[x(5, 3), i32(2)]]),
  Dequantize: [[[t('int8')(2, 3), f32(3), f32(3)], { axis: 1 }], [[t('float16')(2, 3), null, null]]],
  Cast: [f32, i32].flatMap((x) => ['float32', 'float16', 'int8'].map((to) => /** @type {Sample} */ ([[x(4)], { to }]))),
  MatMul: ACTIVATIONS.flatMap(
    (activation) =>
      /** @type {Sample[]} */ ([
        [[f32(8, 4), f32(4, 8), f32(8)], { activation }], // vec4 loads
        [[f32(3, 5), f32(5, 7), null], { activation }], // scalar loads
      ]),
  ),
  Conv2D: ACTIVATIONS.flatMap(
    (activation) =>
      /** @type {Sample[]} */ ([
        [[f32(1, 5, 5, 3), f32(3, 3, 3, 4), f32(4)], { activation }], // implicit GEMM
        [[f32(1, 5, 5, 4), f32(3, 3, 1, 4), null], { activation, groups: 4 }], // depthwise
      ]),
  ),
  Conv2DTranspose: ACTIVATIONS.map(
    (activation) =>
      /** @type {Sample} */ ([[f32(1, 3, 3, 2), f32(3, 3, 4, 2), f32(4)], { activation, strides: [2, 2] }]),
  ),
};

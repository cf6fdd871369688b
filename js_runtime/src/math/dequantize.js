/**
 * Dequantization as the op set defines it, in plain JavaScript: the loader uses it to turn an int8 or
 * float16 weight into float32 the first time a backend reads its float32 values (the wasm backend
 * computes on the stored form instead, see docs/quantized_execution.md), and the js backend's
 * Dequantize kernel is this function.
 * @module
 */

import { halfToFloat } from '../dtypes.js';
import { channelsAround } from './axis.js';

/** @typedef {import('../backends/interface.js').View} View */

/**
 * `output = (float32(x) - zero) * scale`, per tensor (`axis` null) or per channel along `axis`, each
 * step rounded to float32 like the numpy reference; float16 `x` (raw half bits) converts exactly.
 * @param {View} x float16 (raw bits), int8, uint8, int32 or float32
 * @param {View | null} scale one value, or one per channel
 * @param {View | null} zero zero point: one value, or one per channel
 * @param {number | null | undefined} axis the channel axis, or null for per-tensor parameters
 * @param {View} output float32, of x's size; every element is written
 */
export function dequantizeInto(x, scale, zero, axis, output) {
  const X = x.data;
  const Y = output.data;
  const S = scale ? scale.data : null;
  const Z = zero ? zero.data : null;
  const half = x.dtype === 'float16';
  const [, channels, inner] = channelsAround('Dequantize', x.shape, axis);
  const f = Math.fround;
  for (let i = 0; i < X.length; i++) {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    let v = half ? halfToFloat(X[i]) : X[i];
    if (Z) v = f(v - Z[c]);
    if (S) v = f(v * S[c]);
    Y[i] = v;
  }
}

import { epilogue } from './_activation.js';
import { backpropInputSums } from './grad/Conv2DBackpropInput.js';

/** @typedef {import('../../interface.js').View} View */

/**
 * Conv2DTranspose: y = act(conv_transpose(x, w) + bias), x NHWC, w [KH, KW, O, C]: the input gradient
 * of the Conv2D from y's shape to x's (filter w, HWIO as it stands) for the cotangent x, summed by
 * Conv2DBackpropInput's code, then the bias and activation epilogue per output pixel.
 * @type {import('../../interface.js').Kernel}
 */
export function Conv2DTranspose(inputs, attrs, output) {
  const w = /** @type {View} */ (inputs[1]);
  const bias = inputs[2] ? /** @type {Float32Array} */ (inputs[2].data) : null;
  const conv = { strides: attrs.strides, padding: attrs.padding, dilations: attrs.dilations, groups: 1 };
  const acc = backpropInputSums(/** @type {View} */ (inputs[0]), w, output.shape, conv, 'Conv2DTranspose');
  const o = w.shape[2];
  const Y = output.data;
  for (let at = 0; at < Y.length; at += o) {
    epilogue(acc.subarray(at, at + o), o, bias, 0, Y, at, attrs.activation, attrs.alpha);
  }
}

/**
 * The kernel of the ops that only reinterpret the shape (Reshape, Flatten): a plain copy of the
 * row-major data. (The executor usually skips them and aliases the buffer instead.)
 * @module
 */

/** @type {import('../../interface.js').Kernel} */
export function copyKernel(inputs, _attrs, output) {
  output.data.set(/** @type {import('../../interface.js').View} */ (inputs[0]).data);
}

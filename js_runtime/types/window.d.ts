/**
 * Resolves the padding and the output size of a window op (the Conv2D rule of the op set).
 * @param {string} op
 * @param {[Dim, Dim]} hw input height and width
 * @param {readonly number[]} kernel
 * @param {readonly number[]} strides
 * @param {Padding} padding
 * @param {readonly number[]} [dilations]
 * @param {boolean} [pool] pools refuse explicit padding as large as the window
 * @returns {Window}
 */
export function windowOf(op: string, hw: [Dim, Dim], kernel: readonly number[], strides: readonly number[], padding: Padding, dilations?: readonly number[], pool?: boolean): Window;
/**
 * The window of MaxPool2D / AvgPool2D (dilation 1) for an NHWC input shape.
 * @param {string} op
 * @param {readonly Dim[]} x
 * @param {{pool_size: readonly number[], strides: readonly number[], padding: Padding}} attrs
 */
export function poolWindow(op: string, x: readonly Dim[], attrs: {
    pool_size: readonly number[];
    strides: readonly number[];
    padding: Padding;
}): Window;
export type Dim = import("./shapes.js").Dim;
export type Padding = "SAME" | "VALID" | readonly number[];
/**
 * Resolved geometry; dims are null where the input size is unknown.
 */
export type Window = {
    kernel: [number, number];
    strides: [number, number];
    dilations: [number, number];
    pads: [Dim, Dim, Dim, Dim];
    out: [Dim, Dim];
};

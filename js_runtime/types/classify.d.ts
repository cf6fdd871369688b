/** @typedef {import('./executor.js').TensorSpec} TensorSpec */
/** @typedef {{label: string, index: number, probability: number}} Prediction */
/** @typedef {{scale?: number, mean?: number | number[], std?: number | number[]}} Preprocessing */
/**
 * The raw classify input as a float32 tensor with a batch dim, preprocessed. A bare typed array or
 * flat array (no shape) is taken as examples of the signature's per-example shape.
 * @param {unknown} x Tensor, {data, shape}, typed array or (nested) number array; any numeric dtype
 * @param {TensorSpec} spec the model's (single) input
 * @param {Preprocessing | undefined} pre
 * @returns {Tensor}
 */
export function preprocessInput(x: unknown, spec: TensorSpec, pre: Preprocessing | undefined): Tensor;
/**
 * Top-k predictions per example from a [batch, classes] output.
 * @param {Tensor} output
 * @param {boolean} isProbability whether the output already is probabilities (else softmax is applied)
 * @param {readonly string[] | undefined} labels
 * @param {number} topK
 * @returns {Prediction[][]}
 */
export function topK(output: Tensor, isProbability: boolean, labels: readonly string[] | undefined, topK: number): Prediction[][];
export type TensorSpec = import("./executor.js").TensorSpec;
export type Prediction = {
    label: string;
    index: number;
    probability: number;
};
export type Preprocessing = {
    scale?: number;
    mean?: number | number[];
    std?: number | number[];
};
import { Tensor } from './tensor.js';

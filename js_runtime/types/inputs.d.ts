/**
 * The inputs in signature order, each a tensor of the spec's dtype and a fitting shape.
 * @param {ModelInput} x
 * @param {readonly TensorSpec[]} specs
 * @returns {Tensor[]}
 */
export function prepareInputs(x: ModelInput, specs: readonly TensorSpec[]): Tensor[];
/**
 * One input converted and checked against its spec.
 * @param {unknown} v
 * @param {TensorSpec} spec
 * @returns {Tensor}
 */
export function checkInput(v: unknown, spec: TensorSpec): Tensor;
export type TensorSpec = import("./executor.js").TensorSpec;
export type TensorLike = import("./tensor.js").TensorLike;
export type InputValue = Tensor | TensorLike | unknown[];
export type ModelInput = InputValue | InputValue[] | Record<string, InputValue>;
import { Tensor } from './tensor.js';

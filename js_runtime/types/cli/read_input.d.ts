/** @typedef {import('../executor.js').TensorSpec} TensorSpec */
/**
 * @param {string} path
 * @param {TensorSpec} spec the model's input
 * @returns {Promise<{data: ArrayLike<number> | unknown[], shape?: number[]}>}
 */
export function readInputFile(path: string, spec: TensorSpec): Promise<{
    data: ArrayLike<number> | unknown[];
    shape?: number[];
}>;
export type TensorSpec = import("../executor.js").TensorSpec;

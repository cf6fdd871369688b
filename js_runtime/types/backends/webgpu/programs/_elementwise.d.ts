/** @typedef {import('./_types.js').Program} Program */
/** @typedef {import('./_types.js').TensorInfo} TensorInfo */
/**
 * A unary op over every element (shader `_unary.wgsl.j2`): Params {n, alpha, approximate}.
 * @param {string} op the op and shader key
 * @returns {Program}
 */
export function unary(op: string): Program;
/**
 * A binary op with numpy broadcasting (shader `_binary.wgsl.j2`): the output shape with both inputs'
 * strides over it, collapsed to few dims.
 * @param {string} op the op and shader key
 * @returns {Program}
 */
export function binary(op: string): Program;
export type Program = import("./_types.js").Program;
export type TensorInfo = import("./_types.js").TensorInfo;

/**
 * @param {string} op the op (for errors)
 * @param {string} shader
 * @param {readonly number[]} shape x's shape
 * @param {readonly number[] | null} axes the axes of a row (null: all)
 * @param {import('./_types.js').Binding[]} bindings
 * @param {import('./_types.js').Limits} limits
 * @param {number} [epsilon]
 * @returns {import('./_types.js').Pass[]}
 */
export function rowsPass(op: string, shader: string, shape: readonly number[], axes: readonly number[] | null, bindings: import("./_types.js").Binding[], limits: import("./_types.js").Limits, epsilon?: number): import("./_types.js").Pass[];

/**
 * The kernels' params structs: the writers, sizes and codes generated from `wasm_kernels/params.json`
 * (`params.generated.js`, one `write<Struct>Params(dv, p, fields)` per struct, named fields), and the
 * one shape helper their callers share.
 * @module
 */

export * from './params.generated.js';

/**
 * `shape` right-aligned to `rank` (left-padded with 1), as the broadcast and batch fields want it.
 * @param {readonly number[]} shape @param {number} rank
 * @returns {number[]}
 */
export function rightAlign(shape, rank) {
  return [...new Array(rank - shape.length).fill(1), ...shape];
}

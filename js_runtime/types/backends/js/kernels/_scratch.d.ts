/**
 * A Float64Array of at least `n` elements (contents undefined).
 * @param {number} n
 */
export function scratch(n: number): Float64Array<ArrayBuffer>;

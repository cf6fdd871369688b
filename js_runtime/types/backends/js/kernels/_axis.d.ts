/**
 * @param {string} op
 * @param {readonly number[]} shape
 * @param {number} axis may be negative
 * @returns {[number, number, number]}
 */
export function aroundAxis(op: string, shape: readonly number[], axis: number): [number, number, number];

/**
 * `attrs` checked against op `op` of the op set, with defaults filled in (a new object).
 * @param {string} op a known op name
 * @param {Record<string, unknown>} attrs
 * @returns {Record<string, any>}
 */
export function normalizeAttrs(op: string, attrs: Record<string, unknown>): Record<string, any>;
export type AttrSpec = import("../opset.js").AttrSpec;

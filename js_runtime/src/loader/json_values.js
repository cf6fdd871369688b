/**
 * Small questions about parsed JSON values, shared by the model.json checks.
 * @module
 */

/**
 * Whether `key` is an own property of `o` (bundle-provided names never reach the prototype chain:
 * `constructor`, `__proto__`, `toString` are just unknown keys).
 * @param {object} o
 * @param {PropertyKey} key
 */
export const own = (o, key) => Object.prototype.hasOwnProperty.call(o, key);

/**
 * A value's kind in words, for messages: 'null', 'an array', or its typeof.
 * @param {unknown} v
 */
export function kind(v) {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/**
 * The `js` backend: plain JavaScript reference kernels (float64 accumulation), always available.
 * Weights stay the loader's Float32Arrays; the arena is an ordinary ArrayBuffer.
 * @module
 */
/** @typedef {import('../interface.js').Backend} Backend */
/** @typedef {import('../interface.js').BackendFactory} BackendFactory */
/** @type {BackendFactory} */
export const jsBackend: BackendFactory;
export type Backend = import("../interface.js").Backend;
export type BackendFactory = import("../interface.js").BackendFactory;

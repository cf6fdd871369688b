/** @typedef {import('../interface.js').Backend} Backend */
/** @typedef {import('../interface.js').BackendFactory} BackendFactory */
/** @type {BackendFactory} */
export const jsBackend: BackendFactory;
export type Backend = import("../interface.js").Backend;
export type BackendFactory = import("../interface.js").BackendFactory;

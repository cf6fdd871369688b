/** @typedef {import('./manifest.js').EncodedTensorJson} EncodedTensorJson */
/**
 * The bytes of a base64 string.
 * @param {string} text
 */
export function base64Bytes(text: string): Uint8Array<ArrayBuffer>;
/**
 * The typed array of an encoded tensor, checking its size; `what` names it in errors.
 * @param {EncodedTensorJson} t
 * @param {string} what
 * @returns {import('../dtypes.js').TypedArray}
 */
export function decodeEncoded(t: EncodedTensorJson, what: string): import("../dtypes.js").TypedArray;
export type EncodedTensorJson = import("./manifest.js").EncodedTensorJson;

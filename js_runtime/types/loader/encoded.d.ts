/**
 * The bytes of a (padded) base64 string, in an ArrayBuffer of their own; throws on anything else.
 * The engine's decoder where there is one (`Uint8Array.fromBase64`; Node's Buffer): `atob` and a loop
 * over its characters take ~0.5 ms per 6 KB at load time, before V8 has optimized anything.
 * @param {string} text
 * @returns {Uint8Array<ArrayBuffer>}
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

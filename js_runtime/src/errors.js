/**
 * The one error type of the runtime. Every failure — a bad bundle, a bad input, an unavailable
 * backend, an aborted load — is a `WebgradError` with a stable `code` and a message naming the
 * file, node or tensor and what was expected.
 * @module
 */

/**
 * Error codes, one per kind of failure:
 * - `EARG`: a bad argument to an API function (wrong type, out of range).
 * - `ESOURCE`: a bundle source that is neither a URL, a path nor an in-memory map.
 * - `EFETCH`: a network or file-system error while reading a bundle file.
 * - `EMODEL_MISSING`: no model.json at the source.
 * - `EJSON`: model.json is not valid JSON (or not an object).
 * - `EFORMAT`: model.json is not a webgrad bundle.
 * - `EVERSION`: a formatVersion or opsetVersion newer than this runtime supports.
 * - `ESCHEMA`: model.json does not have the structure of the bundle schema.
 * - `ESHARD_MISSING`, `ESHARD_SIZE`, `ECHECKSUM`: a weight shard absent, of the wrong size, or corrupt.
 * - `ETENSOR`: a weight's dtype, size, byte range or quantization is inconsistent.
 * - `ENONFINITE`: a NaN or Inf in the weights, or a training loss that is NaN or Inf (`fit` stops,
 *   naming the epoch and batch, with the weights as they were before that batch).
 * - `ENOT_TRAINABLE`: training (`loadModel(src, {trainable: true})`, `fit`, `trainStep`...) asked of a
 *   bundle without a `training` section, or of a model loaded without `trainable: true`; the message
 *   says how to export a trainable one (`wg.export(model, dir, trainable=True)`).
 * - `EUNKNOWN_OP`, `EATTR`: a node with an op outside the op set, or attributes it does not take.
 * - `EGRAPH`: an undefined tensor, a node out of topological order, a duplicate name.
 * - `ESHAPE`, `EDTYPE`: shapes or dtypes that do not fit (in the graph or in a predict input).
 * - `EINPUT`: predict inputs missing, unknown or of the wrong kind.
 * - `EINDEX`: a Gather index out of range.
 * - `ESELFTEST`: the bundle's self-test failed on the chosen backend.
 * - `EBACKEND`: an unknown or unavailable backend, or one lacking a kernel.
 * - `EGPU_LIMIT`: a tensor or dispatch beyond a WebGPU device limit (rejected, never run wrongly).
 * - `EGPU_LOST`: the WebGPU device was lost before an output could be read back.
 * - `EDISPOSED`: a tensor or model used after `dispose()`.
 * - `EABORTED`: the load (or `fit`) was aborted through its AbortSignal (the error's `name` is
 *   'AbortError'); an aborted `fit` leaves the weights as after its last whole step.
 * - `EPARSE`: an input file (.npy, .png, .json) the CLI cannot read.
 * - `ELIMIT`: a resource limit of the load or of a run (`maxBytes`, `maxModelJsonBytes`, `timeoutMs`,
 *   `maxArenaBytes`) would be exceeded; the message says which limit, its value and how much was needed.
 * - `ETOKENIZER`: a text bundle's tokenizer file (tokenizer.json) missing, of the wrong size, with a wrong
 *   checksum, not JSON, using a component outside the supported subset, or disagreeing with model.json's
 *   `tokenizer` section; the message names the file (and the component) and what was expected.
 * - `ESECAGG`: a secure-aggregation step that cannot go on (federated/secagg/); the error's `kind` says
 *   which failure: EMALFORMED, ESHAPE, EROUND, EDUPLICATE, EAUTH or ESTATE (as Python's `SecAggError`).
 * - `EFEDERATED`: a federated server refused a request (`FederatedClient`); the error's `serverCode` is
 *   the server's code (EAUTH, EROUND, EDUPLICATE, ESHAPE, ENONFINITE, ECLIP, EMALFORMED, ESTATE) and
 *   `status` the HTTP status.
 * @typedef {'EARG' | 'ESOURCE' | 'EFETCH' | 'EMODEL_MISSING' | 'EJSON' | 'EFORMAT' | 'EVERSION' |
 *   'ESCHEMA' | 'ESHARD_MISSING' | 'ESHARD_SIZE' | 'ECHECKSUM' | 'ETENSOR' | 'ENONFINITE' |
 *   'EUNKNOWN_OP' | 'EATTR' | 'EGRAPH' | 'ESHAPE' | 'EDTYPE' | 'EINPUT' | 'EINDEX' | 'ESELFTEST' |
 *   'EBACKEND' | 'EGPU_LIMIT' | 'EGPU_LOST' | 'EDISPOSED' | 'EABORTED' | 'EPARSE' | 'ELIMIT' |
 *   'ENOT_TRAINABLE' | 'EFEDERATED' | 'ESECAGG' | 'ETOKENIZER'} ErrorCode
 */

/** An error of the webgrad runtime: `code` says which kind (see {@link ErrorCode}). */
export class WebgradError extends Error {
  /**
   * @param {ErrorCode} code the kind of failure
   * @param {string} message what went wrong, naming the file/node/tensor and what was expected
   * @param {{cause?: unknown}} [options]
   */
  constructor(code, message, options) {
    super(message, options);
    /** @type {ErrorCode} */
    this.code = code;
    this.name = code === 'EABORTED' ? 'AbortError' : 'WebgradError';
  }
}

/**
 * Throws the AbortError of an aborted signal, if it is aborted.
 * @param {AbortSignal | undefined} signal
 * @param {string} what what was being done, for the message
 */
export function throwIfAborted(signal, what) {
  if (signal?.aborted) {
    throw new WebgradError('EABORTED', `${what}: aborted`, { cause: signal.reason });
  }
}

/**
 * webgrad: run webgrad web bundles (classifiers trained in Python) in browsers and Node.js.
 *
 * ```js
 * import { loadModel } from 'webgrad';
 * const model = await loadModel('bundles/mnist', { backend: 'auto' });
 * const top3 = await model.classify(pixels, { topK: 3 });
 * model.dispose();
 * ```
 * @module webgrad
 */

export { loadModel, LIMITS } from './load.js';
export { Model } from './model.js';
export { Tensor, tensor } from './tensor.js';
export { WebgradError } from './errors.js';
export { registerBackend, getBackend, checkBackend, listBackends, AUTO_ORDER } from './backends/index.js';
export { liveResources } from './resources.js';
export { saveBundle } from './save_bundle.js';
export { OPSET } from './opset.js';
export { VERSION } from './version.js';
export { DTYPES, halfToFloat, floatToHalf } from './dtypes.js';
export { FederatedClient } from './federated/client.js';

/** @typedef {import('./load.js').LoadOptions} LoadOptions */
/** @typedef {import('./load.js').Progress} Progress */
/** @typedef {import('./loader/source.js').BundleSource} BundleSource */
/** @typedef {import('./model.js').MemoryInfo} MemoryInfo */
/** @typedef {import('./train/fit.js').FitOptions} FitOptions */
/** @typedef {import('./train/fit.js').History} History */
/** @typedef {import('./train/fit.js').Logs} Logs */
/** @typedef {import('./train/to_bundle.js').BundleMap} BundleMap */
/** @typedef {import('./classify.js').Prediction} Prediction */
/** @typedef {import('./text/tokenizer.js').Encoding} Encoding */
/** @typedef {import('./text/tokenizer.js').Tokenizer} Tokenizer */
/** @typedef {import('./selftest.js').SelftestResult} SelftestResult */
/** @typedef {import('./errors.js').ErrorCode} ErrorCode */
/** @typedef {import('./dtypes.js').DType} DType */
/** @typedef {import('./backends/interface.js').Backend} Backend */
/** @typedef {import('./backends/interface.js').BackendFactory} BackendFactory */
/** @typedef {import('./backends/interface.js').Availability} Availability */
/** @typedef {import('./backends/interface.js').Kernel} Kernel */
/** @typedef {import('./backends/interface.js').View} View */
/** @typedef {import('./federated/client.js').JoinOptions} JoinOptions */
/** @typedef {import('./federated/client.js').RoundReport} RoundReport */

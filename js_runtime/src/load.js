/**
 * `loadModel`: reads a bundle from a URL, a Node directory or an in-memory map, validates everything
 * before use (format, versions, structure, shards and checksums, tensors, ops, graph, shapes), picks
 * a backend, prepares the weights once and runs the bundle's self-test on that backend. On a device
 * backend (webgpu) the model keeps the float32 weights on the CPU as well, to move to wasm (or js)
 * if the device is lost.
 * @module
 */

import { WebgradError, throwIfAborted } from './errors.js';
import { resolveSource } from './loader/source.js';
import { checkStructure, checkVersions, parseManifest } from './loader/manifest.js';
import { readFirstShardEarly, readShards, readTensors } from './loader/weights.js';
import { buildGraph } from './loader/graph.js';
import { getBackend, preloadBackend, resolveBackend } from './backends/index.js';
import { ALIAS_OPS, Executor, supportsOp } from './executor.js';
import { Model, disposeBackend } from './model.js';
import { checkSelftest, selftestInputs } from './selftest.js';
import { track } from './resources.js';

/** @typedef {import('./loader/source.js').BundleSource} BundleSource */
/** @typedef {import('./backends/interface.js').Backend} Backend */
/** @typedef {import('./backends/interface.js').View} View */
/** @typedef {import('./executor.js').Graph} Graph */
/** @typedef {{loaded: number, total: number, file: string}} Progress */
/**
 * @typedef {object} LoadOptions
 * @property {string} [backend] 'auto' (default: webgpu, else wasm, else js, by availability) or a backend name
 * @property {(progress: Progress) => void} [onProgress] called as bytes arrive: `{loaded, total, file}`
 * @property {AbortSignal} [signal] aborts the load (rejects with an AbortError, code EABORTED)
 * @property {boolean} [selftest] run the bundle's self-test on the chosen backend (default true)
 * @property {'auto' | 'simd' | 'relaxed'} [wasmVariant] wasm backend: which build to run (default 'auto':
 *   the relaxed-SIMD one when the engine supports relaxed SIMD, else SIMD128)
 * @property {unknown} [gpu] webgpu backend: the GPU object to use instead of `navigator.gpu` (Node.js:
 *   `import { create } from 'webgpu'; create([])`)
 * @property {Record<string, number>} [webgpuLimits] webgpu backend, for tests: caps on the device limits the
 *   runtime and the kernels use (e.g. `{maxStorageBufferBindingSize: 65536, maxComputeWorkgroupsPerDimension: 16}`)
 * @property {(info: {backend: string, reason: string}) => void} [onDeviceLost] called once when the GPU
 *   device of the model is lost; `model.backendReason` says so too, and the next call runs on wasm (or js)
 * @property {number} [maxBytes] cap on the weight bytes (default 1 GiB): the sum of the shard sizes
 *   model.json declares is checked before any shard is read, and no file is read past its declared size
 *   (ESHARD_SIZE the moment it is); ELIMIT past the cap
 * @property {number} [maxModelJsonBytes] cap on model.json's size (default 64 MiB), checked while it
 *   streams in; ELIMIT past it
 * @property {number} [timeoutMs] URL loads: give up with ELIMIT when no byte of a file arrives for this
 *   long (default 30000; Infinity: never)
 * @property {number} [maxArenaBytes] cap on the memory one run needs, from the shape rules, checked
 *   before anything is allocated (default 1 GiB): at load for the self-test, at `predict` for each new
 *   input shape; ELIMIT past it
 */

/** Defaults of the resource limits of {@link LoadOptions}. */
export const LIMITS = Object.freeze({
  maxBytes: 2 ** 30,
  maxModelJsonBytes: 64 * 2 ** 20,
  timeoutMs: 30000,
  maxArenaBytes: 2 ** 30,
});

/**
 * The resource limits of `options`, defaulted and checked (EARG unless a positive number).
 * @param {LoadOptions} options
 * @returns {{maxBytes: number, maxModelJsonBytes: number, timeoutMs: number, maxArenaBytes: number}}
 */
function limitsOf(options) {
  /** @type {Record<keyof typeof LIMITS, number>} */
  const out = { ...LIMITS };
  for (const key of /** @type {(keyof typeof LIMITS)[]} */ (Object.keys(LIMITS))) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v > 0)) throw new WebgradError('EARG', `loadModel: ${key} must be a positive number (Infinity: no limit), got ${String(v)}`);
    out[key] = v;
  }
  return out;
}

/**
 * Loads a bundle and returns a {@link Model} ready to run.
 *
 * `source`: a URL (string or URL; fetched), a directory path or `file:` URL (Node.js), the path of
 * the bundle's model.json, or an in-memory map `{'model.json': string | Uint8Array | object,
 * 'weights-000.bin': Uint8Array, ...}` (a plain object or a Map).
 * Every failure rejects with a {@link WebgradError} whose `code` says what went wrong; a failed or
 * aborted load leaves nothing allocated.
 * @param {BundleSource} source
 * @param {LoadOptions} [options]
 * @returns {Promise<Model>}
 * @example
 * const model = await loadModel('bundles/mnist', { backend: 'auto' });
 * const probs = await model.predict({ data: new Float32Array(784), shape: [1, 28, 28, 1] });
 */
export async function loadModel(source, options = {}) {
  const { backend = 'auto', onProgress, signal, selftest = true, wasmVariant, gpu, webgpuLimits, onDeviceLost } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new WebgradError('EARG', 'loadModel: onProgress must be a function');
  if (onDeviceLost !== undefined && typeof onDeviceLost !== 'function') throw new WebgradError('EARG', 'loadModel: onDeviceLost must be a function');
  if (signal !== undefined && !(signal && typeof signal.aborted === 'boolean')) throw new WebgradError('EARG', 'loadModel: signal must be an AbortSignal');
  const limits = limitsOf(options);
  throwIfAborted(signal, 'loadModel');
  if (typeof backend === 'string') preloadBackend(backend, { wasmVariant, gpu });
  const src = resolveSource(source);
  const where = src.describe('model.json');

  const { manifest, data, verified } = await readBundle(src, where, signal, onProgress, limits);
  // the tensors and the graph are read while the checksums are computed; nothing is reported or used
  // before they match
  let weights;
  let graph;
  try {
    weights = readTensors(manifest.weights.tensors, data, where);
    graph = buildGraph(manifest, weights, where);
  } catch (e) {
    await verified;
    throw e;
  }
  await verified;
  throwIfAborted(signal, 'loadModel');

  /** @type {Model | null} */
  let made = null;
  /** @param {string} why */
  const lost = (why) => {
    made?.deviceLost(why);
    onDeviceLost?.({ backend: 'webgpu', reason: why });
  };
  const { instance, reason } = await createBackend(backend, graph, { wasmVariant, gpu, webgpuLimits, onDeviceLost: lost });
  let model;
  try {
    const prepared = instance.prepareWeights(weights, graph.nodes);
    track('weightsBytes', instance.weightsBytes());
    const recover = instance.runner ? () => fallbackBackend(graph, weights, manifest.selftest, where, limits.maxArenaBytes) : undefined;
    model = new Model({ manifest, graph, executor: new Executor(graph, prepared, instance, { maxArenaBytes: limits.maxArenaBytes }), backend: instance, backendReason: reason, recover });
    made = model;
  } catch (e) {
    disposeBackend(instance);
    throw e;
  }
  try {
    throwIfAborted(signal, 'loadModel');
    if (selftest) model.selftest = await selftestOn(model, manifest.selftest, instance.name, where);
    throwIfAborted(signal, 'loadModel');
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * Reads model.json (checked: format, versions, structure) and the shards (present, of their size; their
 * checksums settle `verified`), reporting progress. The first shard is requested along with model.json
 * and cancelled if the load fails before it is used.
 * @param {import('./loader/source.js').Source} src
 * @param {string} where
 * @param {AbortSignal | undefined} signal
 * @param {((progress: Progress) => void) | undefined} onProgress
 * @param {ReturnType<typeof limitsOf>} limits
 */
async function readBundle(src, where, signal, onProgress, { maxBytes, maxModelJsonBytes, timeoutMs }) {
  const early = readFirstShardEarly(src, signal, { maxBytes, timeoutMs });
  try {
    const check = (/** @type {number} */ total) => {
      if (total > maxModelJsonBytes) throw new WebgradError('ELIMIT', `${where}: model.json is over maxModelJsonBytes (${maxModelJsonBytes} bytes): read stopped at ${total} bytes`);
    };
    const json = await src.read('model.json', { signal, check, timeoutMs });
    throwIfAborted(signal, `reading ${where}`);
    if (json === null) throw new WebgradError('EMODEL_MISSING', `${where}: missing model.json (a bundle holds model.json and weights-NNN.bin)`);
    const raw = parseManifest(json, where);
    checkVersions(raw, where);
    const manifest = checkStructure(raw, where);
    const declared = manifest.weights.shards.reduce((n, s) => n + s.byteLength, 0);
    if (declared > maxBytes) {
      throw new WebgradError('ELIMIT', `${where}: the shards declare ${declared} bytes of weights, over maxBytes (${maxBytes} bytes); pass a larger maxBytes to load this model`);
    }
    const total = json.byteLength + declared;
    let loaded = json.byteLength;
    onProgress?.({ loaded, total, file: 'model.json' });
    const { data, verified } = await readShards(src, manifest.weights.shards, {
      signal,
      early,
      timeoutMs,
      onBytes: (file, n) => {
        loaded += n;
        onProgress?.({ loaded, total, file });
      },
    });
    return { manifest, data, verified };
  } catch (e) {
    early.cancel(); // no download left running for a load that failed
    throw e;
  }
}

/**
 * Runs the bundle's self-test on the model's backend, reading device-resident outputs back first.
 * @param {Model} model
 * @param {import('./loader/manifest.js').Manifest['selftest']} test
 * @param {string} backend
 * @param {string} where
 */
async function selftestOn(model, test, backend, where) {
  const outputs = model.runChecked(selftestInputs(test));
  await Promise.all(outputs.map((t) => t.data()));
  return checkSelftest(test, outputs, backend, where);
}

/**
 * The backend a model moves to when its device is lost: wasm, else js (whichever is available and runs
 * every op), with the weights prepared and the self-test passed.
 * @param {Graph} graph
 * @param {Map<string, View>} weights the float32 (dequantized) weights
 * @param {import('./loader/manifest.js').Manifest['selftest']} test
 * @param {string} where
 * @param {number} maxArenaBytes
 * @returns {Promise<{executor: Executor, backend: Backend}>}
 */
async function fallbackBackend(graph, weights, test, where, maxArenaBytes) {
  /** @type {string[]} */
  const why = [];
  for (const name of ['wasm', 'js']) {
    try {
      const { instance } = await createBackend(name, graph, {});
      /** @type {Executor | null} */
      let executor = null;
      try {
        const prepared = instance.prepareWeights(weights, graph.nodes);
        track('weightsBytes', instance.weightsBytes());
        const ex = new Executor(graph, prepared, instance, { maxArenaBytes });
        executor = ex;
        checkSelftest(test, ex.run(selftestInputs(test)), name, where);
        return { executor: ex, backend: instance };
      } catch (e) {
        executor?.dispose();
        disposeBackend(instance);
        throw e;
      }
    } catch (e) {
      why.push(`${name}: ${/** @type {Error} */ (e).message}`);
    }
  }
  throw new WebgradError('EBACKEND', `the GPU device was lost and no CPU backend can take over: ${why.join('; ')}`);
}

/**
 * An instance of the requested backend that has a kernel for every op of the graph; for 'auto', the
 * first available in order that does.
 * @param {string} request
 * @param {Graph} graph
 * @param {import('./backends/interface.js').BackendOptions} options
 * @returns {Promise<{instance: Backend, reason: string}>}
 */
async function createBackend(request, graph, options) {
  const { candidates, skipped } = await resolveBackend(request, options);
  const ops = [...new Set(graph.nodes.map((n) => n.op))].filter((op) => !ALIAS_OPS.has(op));
  for (const name of candidates) {
    const instance = await getBackend(name).create(options);
    track('backends', 1);
    const missing = ops.filter((op) => !supportsOp(instance, op));
    if (!missing.length) {
      const detail = instance.detail ? `: ${instance.detail}` : '';
      const reason = request === 'auto'
        ? `auto: picked '${name}'${detail} (the first available of webgpu, wasm, js)${skipped.length ? `; skipped ${skipped.join('; ')}` : ''}`
        : `requested '${name}'${detail}`;
      return { instance, reason };
    }
    disposeBackend(instance);
    const why = `backend '${name}' has no kernel for ${missing.join(', ')}`;
    if (request !== 'auto') throw new WebgradError('EBACKEND', why);
    skipped.push(`${name}: ${why}`);
  }
  throw new WebgradError('EBACKEND', `no backend can run this model: ${skipped.join('; ')}`);
}

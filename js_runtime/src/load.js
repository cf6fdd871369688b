/**
 * `loadModel`: reads a bundle from a URL, a Node directory or an in-memory map, validates everything
 * before use (format, versions, structure, shards and checksums, tensors, ops, graph, shapes), picks
 * a backend, prepares the weights once and runs the bundle's self-test on that backend.
 * @module
 */

import { WebgradError, throwIfAborted } from './errors.js';
import { resolveSource } from './loader/source.js';
import { checkStructure, checkVersions, parseManifest } from './loader/manifest.js';
import { readShards, readTensors } from './loader/weights.js';
import { buildGraph } from './loader/graph.js';
import { getBackend, resolveBackend } from './backends/index.js';
import { ALIAS_OPS, Executor } from './executor.js';
import { Model, disposeBackend } from './model.js';
import { runSelftest } from './selftest.js';
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
 */

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
  const { backend = 'auto', onProgress, signal, selftest = true, wasmVariant } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new WebgradError('EARG', 'loadModel: onProgress must be a function');
  if (signal !== undefined && !(signal && typeof signal.aborted === 'boolean')) throw new WebgradError('EARG', 'loadModel: signal must be an AbortSignal');
  throwIfAborted(signal, 'loadModel');
  const src = resolveSource(source);
  const where = src.describe('model.json');

  let loaded = 0;
  const json = await src.read('model.json', { signal });
  throwIfAborted(signal, `reading ${where}`);
  if (json === null) throw new WebgradError('EMODEL_MISSING', `${where}: missing model.json (a bundle holds model.json and weights-NNN.bin)`);
  const raw = parseManifest(json, where);
  checkVersions(raw, where);
  const manifest = checkStructure(raw, where);
  const total = json.byteLength + manifest.weights.shards.reduce((n, s) => n + s.byteLength, 0);
  loaded = json.byteLength;
  onProgress?.({ loaded, total, file: 'model.json' });
  const data = await readShards(src, manifest.weights.shards, {
    signal,
    onBytes: (file, n) => {
      loaded += n;
      onProgress?.({ loaded, total, file });
    },
  });
  const weights = readTensors(manifest.weights.tensors, data, where);
  const graph = buildGraph(manifest, weights, where);
  throwIfAborted(signal, 'loadModel');

  const { instance, reason } = await createBackend(backend, graph, { wasmVariant });
  let model;
  try {
    const prepared = instance.prepareWeights(weights, graph.nodes);
    track('weightsBytes', instance.weightsBytes());
    model = new Model({ manifest, graph, executor: new Executor(graph, prepared, instance), backend: instance, backendReason: reason });
  } catch (e) {
    disposeBackend(instance);
    throw e;
  }
  try {
    throwIfAborted(signal, 'loadModel');
    if (selftest) model.selftest = runSelftest(manifest.selftest, (inputs) => model.runChecked(inputs), instance.name, where);
    throwIfAborted(signal, 'loadModel');
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
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
  const { candidates, skipped } = await resolveBackend(request);
  const ops = [...new Set(graph.nodes.map((n) => n.op))].filter((op) => !ALIAS_OPS.has(op));
  for (const name of candidates) {
    const instance = await getBackend(name).create(options);
    track('backends', 1);
    const missing = ops.filter((op) => typeof instance.kernels[op] !== 'function');
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

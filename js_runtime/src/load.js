/**
 * `loadModel`: reads a bundle from a URL, a Node directory or an in-memory map, validates everything
 * before use (format, versions, structure, shards and checksums, tensors, ops, graph, shapes), picks
 * a backend (`chooseBackend` in backends/index.js), prepares the weights once and runs the bundle's
 * self-test on that backend. On a device backend (webgpu) the model keeps the float32 weights on the
 * CPU as well, to move to the next backend of `AUTO_ORDER` (wasm, else js) if the device is lost.
 * @module
 */

import { WebgradError, throwIfAborted } from './errors.js';
import { resolveSource } from './loader/source.js';
import { checkStructure, checkVersions, parseManifest } from './loader/manifest.js';
import { readFirstShardEarly, readShards, readTensors } from './loader/weights.js';
import { buildGraph } from './loader/graph.js';
import { chooseBackend, disposeBackend } from './backends/index.js';
import { Executor } from './executor.js';
import { Model } from './model.js';
import { checkSelftest, selftestInputs } from './selftest.js';
import { track } from './resources.js';
import { checkThreads } from './threads.js';

/** @typedef {import('./loader/source.js').BundleSource} BundleSource */
/** @typedef {import('./backends/interface.js').Backend} Backend */
/** @typedef {import('./backends/interface.js').View} View */
/** @typedef {import('./executor.js').Graph} Graph */
/** @typedef {import('./loader/manifest.js').Manifest} Manifest */
/** @typedef {{loaded: number, total: number, file: string}} Progress */
/**
 * @typedef {object} LoadOptions
 * @property {string} [backend] 'auto' (default: the first of `AUTO_ORDER` that is available and runs every
 *   op: webgpu on a hardware adapter, else wasm, else js) or a backend name
 * @property {(progress: Progress) => void} [onProgress] called as bytes arrive: `{loaded, total, file}`
 * @property {AbortSignal} [signal] aborts the load (rejects with an AbortError, code EABORTED)
 * @property {boolean} [selftest] run the bundle's self-test on the chosen backend (default true)
 * @property {'auto' | 'simd' | 'relaxed'} [wasmVariant] wasm backend: which build to run (default 'auto':
 *   the relaxed-SIMD one when the engine supports relaxed SIMD, else SIMD128)
 * @property {'auto' | number} [threads] wasm backend: threads to run the kernels on (default 'auto': the
 *   cores, `os.availableParallelism()` / `navigator.hardwareConcurrency`, capped at 4), or a whole number
 *   from 1 (the single-threaded build, no workers) to 16. Threads need shared memory: in browsers a
 *   cross-origin isolated page (COOP/COEP headers); elsewhere the model runs on one thread and
 *   `model.backendReason` says why. Results are the same bits for any count (docs/threads.md). EARG for
 *   another value
 * @property {unknown} [gpu] webgpu backend: the GPU object to use instead of `navigator.gpu` (Node.js:
 *   `import { create } from 'webgpu'; create([])`)
 * @property {Record<string, number>} [webgpuLimits] webgpu backend, for tests: caps on the device limits the
 *   runtime and the kernels use (e.g. `{maxStorageBufferBindingSize: 65536, maxComputeWorkgroupsPerDimension: 16}`)
 * @property {(info: {backend: string, reason: string}) => void} [onDeviceLost] called once when the GPU
 *   device of the model is lost; `model.backendReason` says so too, and the next call runs on the next
 *   backend of `AUTO_ORDER` (wasm, else js)
 * @property {number} [maxBytes] cap on the weight bytes (default 1 GiB): the sum of the shard sizes
 *   model.json declares is checked before any shard is read, and no file is read past its declared size
 *   (ESHARD_SIZE the moment it is); ELIMIT past the cap
 * @property {number} [maxModelJsonBytes] cap on model.json's size (default 64 MiB), checked while it
 *   streams in; ELIMIT past it
 * @property {number} [timeoutMs] URL loads: give up with ELIMIT when no byte of a file arrives for this
 *   long (default 30000; Infinity: never)
 * @property {boolean} [trainable] load for training (default false): builds the training graph
 *   (forward + loss + backward) of a trainable bundle (formatVersion 2 with a `training` section; else
 *   ENOT_TRAINABLE, before any shard is read), keeps the weights float32 and unpacked so the optimizer
 *   updates them in place, and enables `fit`, `evaluate`, `trainStep`, `getWeights`, `setWeights` and
 *   `toBundle`. Backends that train: js and wasm ('auto' picks among those with every gradient kernel)
 * @property {number} [maxArenaBytes] cap on the memory one run needs, from the shape rules, checked
 *   before anything is allocated (default 1 GiB): at load for the self-test, at `predict` for each new
 *   input shape; ELIMIT past it
 */

/**
 * Defaults of the resource limits of {@link LoadOptions} (each can be passed to `loadModel`):
 * `maxBytes` 1 GiB of declared weight bytes, `maxModelJsonBytes` 64 MiB, `timeoutMs` 30000 ms without a
 * byte arriving (URL loads), `maxArenaBytes` 1 GiB of memory for one run. The Python reader has the same
 * limits under snake_case names.
 */
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
    if (typeof v !== 'number' || !(v > 0))
      throw new WebgradError(
        'EARG',
        `loadModel: ${key} must be a positive number (Infinity: no limit), got ${String(v)}`,
      );
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
  const {
    backend = 'auto',
    onProgress,
    signal,
    selftest = true,
    wasmVariant,
    threads,
    gpu,
    webgpuLimits,
    onDeviceLost,
    trainable = false,
  } = options;
  checkThreads(threads);
  if (typeof trainable !== 'boolean') throw new WebgradError('EARG', 'loadModel: trainable must be a boolean');
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new WebgradError('EARG', 'loadModel: onProgress must be a function');
  if (onDeviceLost !== undefined && typeof onDeviceLost !== 'function')
    throw new WebgradError('EARG', 'loadModel: onDeviceLost must be a function');
  if (signal !== undefined && !(signal && typeof signal.aborted === 'boolean'))
    throw new WebgradError('EARG', 'loadModel: signal must be an AbortSignal');
  const limits = limitsOf(options);
  throwIfAborted(signal, 'loadModel');
  const src = resolveSource(source);
  const where = src.describe('model.json');

  const reading = readModel(src, where, signal, onProgress, limits, trainable);
  /** @type {Model | null} */
  let made = null;
  /** @param {string} why */
  const lost = (why) => {
    made?.deviceLost(why);
    onDeviceLost?.({ backend: 'webgpu', reason: why });
  };
  // preloads the likely backend at once, to overlap reading; chooses once the graph is read
  const choosing = chooseBackend(
    backend,
    reading.then((r) => (r.training ? r.training.graph.graph : r.graph)), // training: backends with grad kernels
    { wasmVariant, threads, gpu, webgpuLimits, onDeviceLost: lost },
  );
  choosing.catch(() => {}); // awaited below, after `reading`, whose failure it shares
  const { manifest, weights, graph, training, tokenizer } = await reading;
  const { instance, reason } = await choosing;
  let model;
  try {
    if (training) {
      // a trained model stays on its CPU backend (js, wasm): no device to lose, nothing to recover
      const parts = training.module.createTrainer(
        instance,
        graph,
        weights,
        manifest,
        training.graph,
        limits.maxArenaBytes,
      );
      model = new Model({ manifest, graph, backend: instance, backendReason: reason, tokenizer, ...parts });
    } else {
      const executor = executorOn(instance, graph, weights, limits.maxArenaBytes);
      /** @type {import('./model.js').Recover | undefined} */
      const recover = instance.runner
        ? async () => {
            const { instance: next, accepted } = await chooseBackend({ afterLost: instance.name }, graph, {
              wasmVariant,
              threads,
              accept: (b) => selftestedExecutor(b, graph, weights, manifest.selftest, where, limits.maxArenaBytes),
            });
            return { executor: /** @type {Executor} */ (accepted), backend: next };
          }
        : undefined;
      model = new Model({ manifest, graph, executor, backend: instance, backendReason: reason, recover, tokenizer });
    }
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
 * Reads and checks the whole bundle: model.json, the shards, the tensors and the graph. The tensors and
 * the graph are read while the checksums are computed; nothing is returned before they match.
 * @param {import('./loader/source.js').Source} src
 * @param {string} where
 * @param {AbortSignal | undefined} signal
 * @param {((progress: Progress) => void) | undefined} onProgress
 * @param {ReturnType<typeof limitsOf>} limits
 * @param {boolean} trainable
 */
async function readModel(src, where, signal, onProgress, limits, trainable) {
  const { manifest, data, verified, tokenizer } = await readBundle(src, where, signal, onProgress, limits, trainable);
  let weights;
  let graph;
  let training = null;
  try {
    weights = readTensors(manifest.weights.tensors, data, where);
    graph = buildGraph(manifest, weights, where);
    if (manifest.training) {
      // checked at every load of a trainable bundle, as Python's reader does (a small chunk of its own)
      const { checkLossGraph } = await import('./train/check_loss_graph.js');
      checkLossGraph(manifest.training, graph, weights, where, manifest.opsetVersion);
    }
    if (trainable) {
      const module = await import('./train/index.js'); // the training chunk: inference never loads it
      const spec = /** @type {NonNullable<Manifest['training']>} */ (manifest.training);
      try {
        training = { module, graph: module.buildTrainingGraph(graph, /** @type {any} */ (spec), weights) };
      } catch (e) {
        const err = /** @type {WebgradError} */ (e);
        throw new WebgradError(err.code ?? 'EGRAPH', `${where}: ${err.message}`, { cause: e });
      }
    }
  } catch (e) {
    await verified;
    throw e;
  }
  await verified;
  throwIfAborted(signal, 'loadModel');
  return { manifest, weights, graph, training, tokenizer };
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
 * @param {boolean} [trainable] ENOT_TRAINABLE for a bundle without a training section
 */
async function readBundle(src, where, signal, onProgress, { maxBytes, maxModelJsonBytes, timeoutMs }, trainable) {
  const early = readFirstShardEarly(src, signal, { maxBytes, timeoutMs });
  try {
    const check = (/** @type {number} */ total) => {
      if (total > maxModelJsonBytes)
        throw new WebgradError(
          'ELIMIT',
          `${where}: model.json is over maxModelJsonBytes (${maxModelJsonBytes} bytes): read stopped at ${total} bytes`,
        );
    };
    const json = await src.read('model.json', { signal, check, timeoutMs });
    throwIfAborted(signal, `reading ${where}`);
    if (json === null)
      throw new WebgradError(
        'EMODEL_MISSING',
        `${where}: missing model.json (a bundle holds model.json and weights-NNN.bin)`,
      );
    const raw = parseManifest(json, where);
    checkVersions(raw, where);
    const manifest = checkStructure(raw, where);
    // the training section's structure: a chunk of its own, loaded only for a bundle that has one
    if (manifest.training) (await import('./loader/training_section.js')).checkTrainingSection(manifest, where);
    // a text bundle's tokenizer: its section and file, with the tokenizer code, in a chunk of their own
    const tokenizing = manifest.tokenizer ? await import('./loader/tokenizer_section.js') : null;
    tokenizing?.checkTokenizerSection(manifest, where);
    if (trainable && !manifest.training)
      throw new WebgradError(
        'ENOT_TRAINABLE',
        `${where}: this bundle is not trainable (formatVersion ${manifest.formatVersion}, no 'training' section); export a trainable one in Python with wg.export(model, dir, trainable=True), or load this one without trainable: true`,
      );
    // the tokenizer file counts toward maxBytes
    const declared =
      manifest.weights.shards.reduce((n, s) => n + s.byteLength, 0) + (manifest.tokenizer?.byteLength ?? 0);
    if (declared > maxBytes) {
      throw new WebgradError(
        'ELIMIT',
        `${where}: the shards${manifest.tokenizer ? ' and the tokenizer file' : ''} declare ${declared} bytes${manifest.tokenizer ? '' : ' of weights'}, over maxBytes (${maxBytes} bytes); pass a larger maxBytes to load this model`,
      );
    }
    const total = json.byteLength + declared;
    let loaded = json.byteLength;
    onProgress?.({ loaded, total, file: 'model.json' });
    const tokenizer = tokenizing
      ? await tokenizing.readTokenizer(src, /** @type {any} */ (manifest), { signal, timeoutMs, maxModelJsonBytes })
      : null;
    if (tokenizer) {
      loaded += /** @type {NonNullable<Manifest['tokenizer']>} */ (manifest.tokenizer).byteLength;
      onProgress?.({
        loaded,
        total,
        file: /** @type {NonNullable<Manifest['tokenizer']>} */ (manifest.tokenizer).file,
      });
    }
    const { data, verified } = await readShards(src, manifest.weights.shards, {
      signal,
      early,
      timeoutMs,
      onBytes: (file, n) => {
        loaded += n;
        onProgress?.({ loaded, total, file });
      },
    });
    return { manifest, data, verified, tokenizer };
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
 * An executor for `graph` on `instance`, with the weights prepared there (counted in `liveResources`).
 * @param {Backend} instance
 * @param {Graph} graph
 * @param {Map<string, View>} weights the float32 (dequantized) weights
 * @param {number} maxArenaBytes
 * @returns {Executor}
 */
function executorOn(instance, graph, weights, maxArenaBytes) {
  const prepared = instance.prepareWeights(weights, graph.nodes);
  track('weightsBytes', instance.weightsBytes());
  return new Executor(graph, prepared, instance, { maxArenaBytes });
}

/**
 * An executor on the backend a model moves to after a lost device, once the bundle's self-test passed
 * there (throws otherwise, having disposed the executor; `chooseBackend` disposes the backend and tries
 * the next one).
 * @param {Backend} instance
 * @param {Graph} graph
 * @param {Map<string, View>} weights
 * @param {import('./loader/manifest.js').Manifest['selftest']} test
 * @param {string} where
 * @param {number} maxArenaBytes
 * @returns {Executor}
 */
function selftestedExecutor(instance, graph, weights, test, where, maxArenaBytes) {
  const executor = executorOn(instance, graph, weights, maxArenaBytes);
  try {
    checkSelftest(test, executor.run(selftestInputs(test)), instance.name, where);
    return executor;
  } catch (e) {
    executor.dispose();
    throw e;
  }
}

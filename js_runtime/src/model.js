/**
 * A loaded model: `predict`, `classify`, `memory`, `dispose`. Made by `loadModel`.
 * @module
 */

import { WebgradError } from './errors.js';
import { disposeBackend } from './backends/index.js';
import { prepareInputs } from './inputs.js';
import { preprocessInput, textInput, topK } from './classify.js';
import { track } from './resources.js';
import { Tensor } from './tensor.js';
import { selftestInputs } from './selftest.js';

/** @typedef {import('./executor.js').Graph} Graph */
/** @typedef {import('./executor.js').Executor} Executor */
/** @typedef {import('./backends/interface.js').Backend} Backend */
/** @typedef {import('./loader/manifest.js').Manifest} Manifest */
/** @typedef {import('./inputs.js').ModelInput} ModelInput */
/** @typedef {import('./classify.js').Prediction} Prediction */
/** @typedef {import('./selftest.js').SelftestResult} SelftestResult */
/** @typedef {import('./train/trainer.js').Trainer} Trainer */
/** @typedef {import('./train/fit.js').FitOptions} FitOptions */
/** @typedef {import('./train/fit.js').History} History */
/** @typedef {import('./train/to_bundle.js').BundleMap} BundleMap */
/** @typedef {import('./train/weights.js').WeightValue} WeightValue */
/** @typedef {import('./text/tokenizer.js').Tokenizer} Tokenizer */
/** @typedef {import('./text/tokenizer.js').Encoding} Encoding */
// training code only as types here: loadModel(src, {trainable: true}) imports it (a lazy chunk) and hands the trainer in
/**
 * @typedef {{weightsBytes: number, arenaBytes: number, backend: string, plans: number, deviceBytes?: number}} MemoryInfo
 *   `deviceBytes`: the device memory the backend spans (wasm: its linear memory), when it reports it
 */

/** Output ops whose values already are probabilities (classify applies softmax to anything else). */
const PROBABILITY_OPS = new Set(['Softmax', 'Sigmoid']);

/**
 * Makes the backend a model moves to when its GPU device is lost (`chooseBackend({afterLost})`: the
 * next backend of `AUTO_ORDER`, wasm, else js), with its executor.
 * @typedef {() => Promise<{executor: Executor, backend: Backend}>} Recover
 */

/**
 * A model ready to run on one backend. On a GPU backend whose device is lost, the next call moves it
 * to a CPU backend (`backend` and `backendReason` say so), and an output of a call in flight that
 * cannot be read back any more is recomputed there from the same inputs.
 */
export class Model {
  /** @type {Executor | null} */
  #executor;
  /** @type {Backend | null} */
  #backend;
  /** @type {Recover | undefined} */
  #recover;
  /** @type {Promise<void> | null} the move to a CPU backend, once started */
  #moving = null;
  /** @type {Trainer | null} the training side of a model loaded with `trainable: true` */
  #trainer = null;
  /** @type {Manifest} */
  #manifest;

  /**
   * @param {{manifest: Manifest, graph: Graph, executor: Executor, backend: Backend, backendReason: string,
   *   recover?: Recover, trainer?: Trainer, tokenizer?: Tokenizer | null}} parts
   */
  constructor({ manifest, graph, executor, backend, backendReason, recover, trainer, tokenizer = null }) {
    this.#executor = executor;
    this.#manifest = manifest;
    if (trainer) {
      this.#trainer = trainer;
      // a backend may hold one arena at a time: training and inference take turns with theirs (each
      // executor keeps its plans, only the arena is given back and made again)
      trainer.beforeRun = () => this.#executor?.releaseArena();
    }
    /** Whether the model was loaded with `trainable: true` (fit, evaluate, trainStep, toBundle...). */
    this.trainable = Boolean(trainer);
    this.#backend = backend;
    this.#recover = recover;
    /** The name of the backend the model runs on ('js', 'wasm', 'webgpu'). */
    this.backend = backend.name;
    /** Why this backend: the request, and for 'auto' the backends skipped with their reasons. */
    this.backendReason = backendReason;
    /** Threads the kernels run on (wasm: the `threads` option as granted; 1 on js and webgpu). */
    this.threads = backend.threads ?? 1;
    /** The model's inputs and outputs: `{inputs: [{name, dtype, shape}], outputs: [...]}` (null = dynamic dim). */
    this.signature = manifest.signature;
    /** The bundle's metadata (labels, preprocessing, task, training metrics...). */
    this.metadata = manifest.metadata;
    /** What wrote the bundle: `{name, version}`. */
    this.producer = manifest.producer;
    /** The self-test result at load (`{maxError, tolerance}`), or null when it was skipped. */
    this.selftest = /** @type {SelftestResult | null} */ (null);
    this.graph = graph;
    /** A text bundle's tokenizer (its tokenizer.json; `encode(text)`), or null for a model without one. */
    this.tokenizer = tokenizer;
    track('models', 1);
  }

  /** Class names from `metadata.labels` (index = class id), or undefined. */
  get labels() {
    const labels = this.metadata.labels;
    return Array.isArray(labels) ? /** @type {string[]} */ (labels) : undefined;
  }

  /** @returns {Executor} */
  #live() {
    if (!this.#executor) throw new WebgradError('EDISPOSED', 'the model was used after dispose()');
    this.#trainer?.release();
    return this.#executor;
  }

  /**
   * The trainer, or ENOT_TRAINABLE saying how to get one; EDISPOSED after dispose().
   * @param {string} what the call, for the message
   * @returns {Trainer}
   */
  #training(what) {
    if (!this.#executor) throw new WebgradError('EDISPOSED', `${what}: the model was used after dispose()`);
    if (this.#trainer) return this.#trainer;
    throw new WebgradError(
      'ENOT_TRAINABLE',
      this.#manifest.training
        ? `${what}: the model was loaded for inference; load it with loadModel(src, { trainable: true }) to train it`
        : `${what}: this bundle is not trainable (no 'training' section in its model.json); export a trainable one in Python with wg.export(model, dir, trainable=True) and load it with loadModel(src, { trainable: true })`,
    );
  }

  /**
   * Trains the model (Keras semantics): `epochs` passes over x and y in batches of `batchSize`
   * (default 32), shuffled each epoch (default; seeded by `seed`), with the bundle's loss and
   * optimizer. `y`: int32 class indices for a sparse loss (or one-hot rows), float32 rows otherwise.
   * Resolves to `{history: {loss, accuracy, val_loss, val_accuracy}}` (one value per epoch; accuracy
   * for classification losses, val_* with `validationData`). Errors: EINPUT (bad x/y), ENONFINITE
   * (the loss became NaN: stops before that batch), EABORTED (`signal`), ENOT_TRAINABLE, EDISPOSED.
   * @param {ModelInput} x
   * @param {unknown} y
   * @param {FitOptions} [options]
   * @returns {Promise<{history: History}>}
   * @example
   * const model = await loadModel('bundles/mnist-trainable', { trainable: true });
   * const { history } = await model.fit({ data: pixels, shape: [n, 28, 28, 1] }, labels, { epochs: 3 });
   */
  async fit(x, y, options = {}) {
    return this.#training('fit').fit(this.signature.inputs, x, y, options, () => this.#training('fit'));
  }

  /**
   * The mean loss (and accuracy, for classification losses) over x and y; weights untouched.
   * @param {ModelInput} x
   * @param {unknown} y
   * @param {{batchSize?: number}} [options] default 256
   * @returns {Promise<{loss: number, accuracy?: number}>}
   */
  async evaluate(x, y, options = {}) {
    return this.#training('evaluate').evaluate(this.signature.inputs, x, y, options);
  }

  /**
   * One optimizer step on x and y as one batch (for custom training loops); resolves to `{loss}`, the
   * batch's mean loss before the step. A non-finite loss is ENONFINITE, the step not applied.
   * @param {ModelInput} x
   * @param {unknown} y
   * @param {{learningRate?: number}} [options]
   * @returns {Promise<{loss: number}>}
   */
  async trainStep(x, y, options = {}) {
    return this.#training('trainStep').trainStep(this.signature.inputs, x, y, options);
  }

  /**
   * Copies of the model's weights (every float32 weight of the bundle, frozen ones included; not the
   * optimizer state), by name.
   * @returns {Record<string, Float32Array>}
   */
  getWeights() {
    return this.#training('getWeights').getWeights();
  }

  /**
   * Sets weights by name (any subset): each a Float32Array (or array of numbers) of the weight's size,
   * or a Tensor / `{data, shape}` of its shape. Everything is checked before anything is written: an
   * unknown name is EARG naming it, a wrong size or shape ESHAPE.
   * @param {Record<string, WeightValue>} weights
   */
  setWeights(weights) {
    this.#training('setWeights').setWeights(weights);
  }

  /**
   * The model as an in-memory trainable bundle `{'model.json': string, 'weights-000.bin': Uint8Array, ...}`
   * with the current weights and optimizer state, checksums recomputed and a new self-test computed
   * on this model's backend; `loadModel` and Python's `wg.load_model` read it. `quantize` ('float16' or
   * 'int8') writes an inference bundle instead (no training section). Write it with `saveBundle`.
   * @param {{quantize?: 'float16' | 'int8' | null}} [options]
   * @returns {Promise<BundleMap>}
   */
  async toBundle({ quantize = null } = {}) {
    const trainer = this.#training('toBundle');
    const test = this.#manifest.selftest;
    const outputs = await this.#run(selftestInputs(test));
    const values = await Promise.all(outputs.map((t) => t.data()));
    return trainer.toBundle({
      manifest: this.#manifest,
      selftestOutputs: values.map((v) => /** @type {Float32Array} */ (v)),
      quantize,
      tokenizerBytes: this.tokenizer?.source ?? null,
    });
  }

  /**
   * Runs the model synchronously on inputs already checked, in signature order (used by the self-test).
   * On a GPU backend the outputs are still on the device (read them with `await t.data()`).
   * @param {Tensor[]} inputs
   * @returns {Tensor[]}
   */
  runChecked(inputs) {
    return this.#live().run(inputs);
  }

  /**
   * Called by the backend when its device is lost: says so in `backendReason`; the next call moves on.
   * @param {string} why
   */
  deviceLost(why) {
    if (this.isDisposed) return;
    this.backendReason = `${this.backend} device ${why}; the next call moves to a CPU backend (was: ${this.backendReason})`;
  }

  /**
   * Runs checked inputs: first moves off a lost device; on a GPU backend, wraps the outputs so that one
   * whose read-back fails because the device was lost meanwhile is recomputed on the CPU backend.
   * @param {Tensor[]} inputs
   * @returns {Promise<Tensor[]>}
   */
  async #run(inputs) {
    if (this.#backend?.lostReason?.()) await this.#moveIfLost();
    const outputs = this.#live().run(inputs);
    if (!this.#recover || !outputs.some((t) => t.onDevice)) return outputs;
    return outputs.map((t, k) =>
      Tensor.onDevice(
        {
          where: t.onDevice ? 'webgpu device' : 'host',
          read: () =>
            t.data().catch(async (e) => {
              if (/** @type {{code?: string}} */ (e).code !== 'EGPU_LOST' || this.isDisposed) throw e;
              const again = await this.#run(inputs);
              return again[k].data();
            }),
          release: () => t.dispose(),
        },
        t.shape,
        t.dtype,
      ),
    );
  }

  /** Moves to the CPU backend when the device is lost (once, shared by concurrent calls). */
  async #moveIfLost() {
    const why = this.#backend?.lostReason?.();
    if (!why || !this.#recover) return;
    this.#moving ??= this.#recover().then(({ executor, backend }) => {
      const from = this.backend;
      if (this.isDisposed) {
        executor.dispose();
        disposeBackend(backend);
        return;
      }
      /** @type {Executor} */ (this.#executor).dispose();
      disposeBackend(/** @type {Backend} */ (this.#backend));
      this.#executor = executor;
      this.#backend = backend;
      this.backend = backend.name;
      this.threads = backend.threads ?? 1;
      this.backendReason = `moved to '${backend.name}'${backend.detail ? `: ${backend.detail}` : ''} after the ${from} device was ${why}`;
      this.#recover = undefined;
      this.#moving = null;
    });
    await this.#moving;
  }

  /**
   * Runs the model. `input` is a Tensor or `{data, shape}` (or nested number arrays) for a model with
   * one input; an array of those in signature order, or an object keyed by input name, for several.
   * Returns a Tensor, or an object of tensors keyed by output name when the model has several outputs.
   * @param {ModelInput} input
   * @returns {Promise<Tensor | Record<string, Tensor>>}
   */
  async predict(input) {
    this.#live();
    const outputs = await this.#run(prepareInputs(input, this.signature.inputs));
    if (outputs.length === 1) return outputs[0];
    return Object.fromEntries(this.signature.outputs.map((s, i) => [s.name, outputs[i]]));
  }

  /**
   * Classifies raw input: applies `metadata.preprocessing` (`scale`, then `mean`/`std`), runs the
   * model and returns the top `topK` classes per example, best first, with labels from the metadata.
   * Takes a Tensor, `{data, shape}` or a typed/plain array of any numeric dtype (e.g. a Uint8Array of
   * pixels); without a shape, or without the batch dim, it is taken as whole examples. Returns one
   * array of predictions for a single example, and an array of arrays for a batch of several.
   * Outputs that are not a Softmax/Sigmoid get a softmax first. `preprocess: false` feeds the values
   * as they are.
   *
   * A text model (a bundle with a tokenizer) takes a string, or an array of strings (one predict call for
   * the batch), tokenized as `tokenize` does; it returns one array of predictions for a string and one per
   * text for an array. EINPUT: a non-string entry, an empty array, a text given to a model without a
   * tokenizer, or numbers given to a text model.
   * @param {unknown} input
   * @param {{topK?: number, preprocess?: boolean}} [options]
   * @returns {Promise<Prediction[] | Prediction[][]>}
   * @example
   * const [best] = await model.classify('what a delightful film'); // {label, index, probability}
   */
  async classify(input, { topK: k = 3, preprocess = true } = {}) {
    if (!Number.isInteger(k) || k < 1)
      throw new WebgradError('EARG', `classify: topK must be a positive integer, got ${k}`);
    if (this.signature.inputs.length !== 1)
      throw new WebgradError(
        'EINPUT',
        `classify needs a model with one input; this one has ${this.signature.inputs.length} (use predict)`,
      );
    const texts = typeof input === 'string' || (Array.isArray(input) && typeof input[0] === 'string');
    const x =
      texts || this.tokenizer
        ? textInput(input, this.#textModel('classify'), this.signature.inputs[0])
        : preprocessInput(input, this.signature.inputs[0], preprocess ? this.metadata.preprocessing : undefined);
    this.#live();
    const [output] = await this.#run(prepareInputs(x, this.signature.inputs));
    await output.data(); // a GPU output: read back once
    const outName = this.signature.outputs[0].name;
    const producer = this.graph.nodes.find((n) => n.outputs.includes(outName));
    const result = topK(output, Boolean(producer && PROBABILITY_OPS.has(producer.op)), this.labels, k);
    if (texts || this.tokenizer) return typeof input === 'string' ? result[0] : result; // one list per text
    return result.length === 1 ? result[0] : result;
  }

  /**
   * The ids a text bundle's model sees for `text`: `{ids, attentionMask, tokens}` (Int32Arrays of the
   * bundle's sequence length: truncated on the right, padded with the pad id; unknown words get the unknown
   * token's id). EINPUT for a model without a tokenizer or a `text` that is not a string.
   * @param {string} text
   * @returns {Encoding}
   * @example
   * const { ids, tokens } = model.tokenize('what a delightful film');
   */
  tokenize(text) {
    this.#live();
    const tokenizer = this.#textModel('tokenize');
    if (typeof text !== 'string')
      throw new WebgradError('EINPUT', `tokenize: expected a string, got ${text === null ? 'null' : typeof text}`);
    return tokenizer.encode(text);
  }

  /**
   * The tokenizer, or EINPUT saying that this model takes no text.
   * @param {string} what the call, for the message
   * @returns {Tokenizer}
   */
  #textModel(what) {
    if (this.tokenizer) return this.tokenizer;
    throw new WebgradError(
      'EINPUT',
      `${what}: this model has no tokenizer (its bundle has no 'tokenizer' section), so it takes no text; give it numbers (a Tensor, {data, shape} or an array), or export a text model (wg.layers.TextVectorization) to classify strings`,
    );
  }

  /**
   * Memory in use: bytes of the prepared weights, of the executor's arena (the largest plan so far),
   * the backend, and the number of cached plans.
   * @returns {MemoryInfo}
   */
  memory() {
    if (!this.#executor) throw new WebgradError('EDISPOSED', 'the model was used after dispose()');
    const executor = this.#executor; // as it is: asking must not switch between training and inference
    const backend = /** @type {Backend} */ (this.#backend);
    /** @type {MemoryInfo} */
    const info = {
      weightsBytes: backend.weightsBytes(),
      arenaBytes: executor.arenaBytes + (this.#trainer?.arenaBytes ?? 0),
      backend: this.backend,
      plans: executor.planCount + (this.#trainer?.planCount ?? 0),
    };
    if (backend.deviceBytes) info.deviceBytes = backend.deviceBytes();
    return info;
  }

  /** Whether `dispose()` was called. */
  get isDisposed() {
    return this.#executor === null;
  }

  /** Frees the arena, the weights and the backend. Later calls throw EDISPOSED; disposing twice is harmless. */
  dispose() {
    if (!this.#executor || !this.#backend) return;
    this.#executor.dispose();
    this.#trainer?.dispose();
    this.#trainer = null;
    disposeBackend(this.#backend);
    this.#executor = null;
    this.#backend = null;
    track('models', -1);
  }
}

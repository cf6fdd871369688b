/**
 * The training side of a model loaded with `trainable: true`: the training graph (forward + loss +
 * backward, from `buildTrainingGraph`) on an executor sharing the model's prepared weights, the
 * optimizer, and one step = run the graph, check the loss, update the trainable weights in place.
 * A step is applied whole or not at all: the loss is checked before the update, and nothing between
 * the run and the end of the update can be interrupted (it is synchronous).
 * @module
 */

import { WebgradError } from '../errors.js';
import { Executor } from '../executor.js';
import { Tensor } from '../tensor.js';
import { TRAINING_PLAN_RULES } from '../grad_shape_rules.js';
import { evaluate, fit, trainStep } from './fit.js';
import { toBundle } from './to_bundle.js';
import { readWeights, writeWeights } from './weights.js';
import { random } from './random.js';

/** @typedef {import('../backends/interface.js').View} View */
/** @typedef {import('../backends/interface.js').Backend} Backend */
/** @typedef {import('../executor.js').TensorSpec} TensorSpec */
/** @typedef {import('../loader/manifest.js').TrainingJson} TrainingJson */
/** @typedef {import('./optimizers.js').Optimizer} Optimizer */
/** @typedef {import('../inputs.js').ModelInput} ModelInput */
/** @typedef {import('../loader/manifest.js').Manifest} Manifest */
/** @typedef {import('./fit.js').FitOptions} FitOptions */
/** @typedef {import('./fit.js').History} History */
/** @typedef {import('./to_bundle.js').BundleMap} BundleMap */
/** @typedef {import('./weights.js').WeightValue} WeightValue */
/**
 * @typedef {{graph: import('../executor.js').Graph, lossOutput: string, gradOutputs: Map<string, string>,
 *   predictionOutputs: string[], constants?: Map<string, View>,
 *   dropout?: import('./training_mode.js').DropoutPoint[],
 *   batchNorm?: import('./training_mode.js').BatchNormPoint[]}} TrainingGraph what `buildTrainingGraph` returns
 */
/**
 * @typedef {{loss: number, predictions: Float32Array, predictionShape: readonly number[]}} StepResult
 * `predictions`: a view valid until the next step (read it before)
 */

/**
 * Adds the proximal term's gradient `mu * (w - center)` to each gradient, in float32 (the gradients are
 * this step's output views: written in place, read by the optimizer next).
 * @param {Map<string, Float32Array>} grads @param {(name: string) => Float32Array} weight
 * @param {import('./fit.js').Proximal} proximal
 */
function addProximal(grads, weight, { mu, center }) {
  const m = Math.fround(mu);
  for (const [name, g] of grads) {
    const w = weight(name);
    const c = center[name];
    for (let i = 0; i < g.length; i++) g[i] += Math.fround(m * Math.fround(w[i] - c[i]));
  }
}

/**
 * Runs training steps; made by `loadModel` for a trainable model (`createTrainer`), and what the
 * model's training methods (`fit`, `evaluate`, `trainStep`, `getWeights`, `setWeights`, `toBundle`)
 * delegate to. Lives in the lazily loaded training chunk.
 */
export class Trainer {
  /** @type {Executor | null} made on first use; its arena is released while the model's forward executor runs */
  #executor = null;
  /** @type {Executor | null} the evaluation graph's (dropout off, BatchNorm on moving statistics), if it differs */
  #evalExecutor = null;
  /** @type {Map<string, Float32Array>} the gradients of a step by weight name, refilled each step */
  #grads = new Map();
  /** @type {Map<number, Tensor[]>} the dropout masks by batch size, refilled each step */
  #masks = new Map();
  /** the dropout masks' generator: seeded by `fit`'s seed (else a random seed) */
  #rand = random(Math.floor(Math.random() * 2 ** 32));
  /** The current data of a weight (read afresh: the wasm backend re-creates it when its memory moves). */
  #weightData = (/** @type {string} */ name) =>
    /** @type {Float32Array} */ (/** @type {View} */ (this.weights.get(name)).data);

  /**
   * @param {{training: TrainingJson, graph: TrainingGraph, weights: Map<string, View>, backend: Backend,
   *   maxArenaBytes: number, optimizer: Optimizer, weightNames: string[], evalGraph?: TrainingGraph | null}} parts
   *   `weights`: the backend's prepared views (unpacked: they change every step); `weightNames`: the bundle's
   *   weights (not the optimizer's slots nor the training graph's constants); `evalGraph`: the forward and
   *   loss graph in inference mode, for `evaluate`, when the training graph has dropout or batch statistics
   */
  constructor({ training, graph, weights, backend, maxArenaBytes, optimizer, weightNames, evalGraph = null }) {
    this.weightNames = weightNames;
    /** Called before each training run: the model frees its forward executor's arena there (a backend may
     * hold one arena at a time), keeping its plans. */
    this.beforeRun = () => {};
    this.training = training;
    this.trainingGraph = graph;
    this.weights = weights;
    this.backend = backend;
    this.maxArenaBytes = maxArenaBytes;
    this.optimizer = optimizer;
    const names = graph.graph.outputs.map((s) => s.name);
    const at = (/** @type {string} */ name) => {
      const i = names.indexOf(name);
      if (i < 0) throw new WebgradError('EGRAPH', `training graph: '${name}' is not one of its outputs`);
      return i;
    };
    this.lossAt = at(graph.lossOutput);
    this.predictionAt = at(graph.predictionOutputs[0]);
    /** @type {[string, number][]} each trainable weight and the output index of its gradient */
    this.gradAt = [...graph.gradOutputs].map(([w, g]) => [w, at(g)]);
    this.dropout = graph.dropout ?? [];
    /** each BatchNormalization in training mode: its batch statistics' output indices and moving weights */
    this.batchNormAt = (graph.batchNorm ?? []).map((b) => ({ ...b, meanAt: at(b.mean), varianceAt: at(b.variance) }));
    this.evalGraph = evalGraph;
    if (evalGraph) {
      const evalNames = evalGraph.graph.outputs.map((s) => s.name);
      this.evalLossAt = evalNames.indexOf(evalGraph.lossOutput);
      this.evalPredictionAt = evalNames.indexOf(evalGraph.predictionOutputs[0]);
    }
  }

  /**
   * Seeds the dropout masks' generator (`fit` passes its seed: the same seed, the same masks).
   * @param {number} seed
   */
  seedDropout(seed) {
    this.#rand = random((seed ^ 0x5bd1e995) >>> 0); // a stream apart from the shuffling's
  }

  /**
   * The dropout masks of a step of `n` examples: 0 or 1 / (1 - rate) per element (inverted dropout), in
   * tensors reused for that batch size.
   * @param {number} n
   */
  #fillMasks(n) {
    let masks = this.#masks.get(n);
    if (!masks) {
      masks = this.dropout.map((d) => {
        const shape = [n, .../** @type {number[]} */ (d.shape.slice(1))];
        return new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape, 'float32');
      });
      if (this.#masks.size > 2) this.#masks.clear(); // the full and the last batch sizes
      this.#masks.set(n, masks);
    }
    const rand = this.#rand;
    this.dropout.forEach((d, k) => {
      const data = /** @type {Float32Array} */ (/** @type {Tensor[]} */ (masks)[k].dataSync());
      const keep = Math.fround(1 / Math.fround(1 - d.rate));
      for (let i = 0; i < data.length; i++) data[i] = rand() >= d.rate ? keep : 0;
    });
    return masks;
  }

  /** Bytes of the training executors' arenas (0 while released). */
  get arenaBytes() {
    return (this.#executor ? this.#executor.arenaBytes : 0) + (this.#evalExecutor ? this.#evalExecutor.arenaBytes : 0);
  }

  /** Plans the training executors hold. */
  get planCount() {
    return (this.#executor ? this.#executor.planCount : 0) + (this.#evalExecutor ? this.#evalExecutor.planCount : 0);
  }

  /** Frees the training executors' arenas, keeping their plans (each is made again on its next run). */
  release() {
    this.#executor?.releaseArena();
    this.#evalExecutor?.releaseArena();
  }

  /**
   * Runs the training graph (or, for `evaluate`, the evaluation graph where it differs) on one batch.
   * @param {Tensor[]} inputs the model's inputs, checked, in signature order
   * @param {Tensor} labels float32 rows for `training.labels`
   * @param {boolean} training dropout on and batch statistics (the training graph), or inference mode
   */
  #run(inputs, labels, training) {
    this.beforeRun();
    const evaluating = !training && this.evalGraph;
    // a backend may hold one arena at a time: the other graph's is released (its plans kept)
    (evaluating ? this.#executor : this.#evalExecutor)?.releaseArena();
    const tg = evaluating ? /** @type {TrainingGraph} */ (this.evalGraph) : this.trainingGraph;
    const executor = evaluating
      ? (this.#evalExecutor ??= this.#makeExecutor(tg))
      : (this.#executor ??= this.#makeExecutor(tg));
    const feeds =
      evaluating || !this.dropout.length
        ? [...inputs, labels]
        : [...inputs, labels, ...this.#fillMasks(labels.shape[0])];
    // views in the arena, valid until the next run: read at once, nothing allocated per step
    const outs = executor.runViews(feeds);
    const pred = outs[evaluating ? /** @type {number} */ (this.evalPredictionAt) : this.predictionAt];
    return {
      outs,
      loss: outs[evaluating ? /** @type {number} */ (this.evalLossAt) : this.lossAt].data[0],
      predictions: /** @type {Float32Array} */ (pred.data),
      predictionShape: pred.shape,
    };
  }

  /** @param {TrainingGraph} tg */
  #makeExecutor(tg) {
    return new Executor(tg.graph, this.weights, this.backend, {
      maxArenaBytes: this.maxArenaBytes,
      ...TRAINING_PLAN_RULES,
    });
  }

  /**
   * The loss and predictions of a batch, weights untouched (dropout off, BatchNorm on its moving statistics).
   * @param {Tensor[]} inputs
   * @param {Tensor} labels
   * @returns {StepResult}
   */
  evaluateBatch(inputs, labels) {
    const { loss, predictions, predictionShape } = this.#run(inputs, labels, false);
    return { loss, predictions, predictionShape };
  }

  /**
   * One training step. A loss that is not finite is returned without any update (the caller reports it).
   * @param {Tensor[]} inputs
   * @param {Tensor} labels
   * @param {number} [learningRate] overrides the optimizer's
   * @param {import('./fit.js').Proximal} [proximal] FedProx: `mu * (w - center)` joins each gradient
   * @returns {StepResult}
   */
  step(inputs, labels, learningRate, proximal) {
    const { outs, loss, predictions, predictionShape } = this.#run(inputs, labels, true);
    if (!Number.isFinite(loss)) return { loss, predictions, predictionShape };
    const grads = this.#grads; // the same map every step (its arrays are this run's views)
    for (const [w, i] of this.gradAt) grads.set(w, /** @type {Float32Array} */ (outs[i].data));
    if (proximal) addProximal(grads, this.#weightData, proximal);
    this.optimizer.apply(grads, this.#weightData, learningRate);
    grads.clear(); // holds no view of an arena that may be released before the next step
    for (const b of this.batchNormAt) {
      // moving = moving * momentum + batch * (1 - momentum), in float32 as the Python layer computes it
      const m = Math.fround(b.momentum);
      const rest = Math.fround(1 - m);
      for (const [moving, at] of /** @type {[string, number][]} */ ([
        [b.movingMean, b.meanAt],
        [b.movingVariance, b.varianceAt],
      ])) {
        const w = this.#weightData(moving);
        const batch = outs[at].data;
        for (let i = 0; i < w.length; i++) w[i] = Math.fround(Math.fround(m * w[i]) + Math.fround(rest * batch[i]));
      }
    }
    return { loss, predictions, predictionShape };
  }

  /**
   * `model.fit`: see fit.js.
   * @param {readonly TensorSpec[]} specs the model's input signature
   * @param {ModelInput} x @param {unknown} y @param {FitOptions} options
   * @param {() => unknown} check called between steps (throws once the model is disposed)
   * @returns {Promise<{history: History}>}
   */
  fit(specs, x, y, options, check) {
    return fit(this, specs, x, y, options, check);
  }

  /**
   * `model.evaluate`: see fit.js.
   * @param {readonly TensorSpec[]} specs @param {ModelInput} x @param {unknown} y @param {{batchSize?: number}} options
   */
  evaluate(specs, x, y, options) {
    return evaluate(this, specs, x, y, options);
  }

  /**
   * `model.trainStep`: see fit.js.
   * @param {readonly TensorSpec[]} specs @param {ModelInput} x @param {unknown} y @param {{learningRate?: number}} options
   */
  trainStep(specs, x, y, options) {
    return trainStep(this, specs, x, y, options);
  }

  /** `model.getWeights`: copies of every weight (not the optimizer's slots). */
  getWeights() {
    return readWeights(this.weights, this.weightNames);
  }

  /**
   * `model.setWeights`: checked whole before anything is written (EARG, ESHAPE).
   * @param {Record<string, WeightValue>} weights
   */
  setWeights(weights) {
    writeWeights(this.weights, this.weightNames, weights);
  }

  /**
   * `model.toBundle`: the bundle map of the current weights and optimizer state.
   * @param {{manifest: Manifest, selftestOutputs: Float32Array[], quantize: 'float16' | 'int8' | null,
   *   tokenizerBytes?: Uint8Array | null}} parts
   * @returns {Promise<BundleMap>}
   */
  toBundle({ manifest, selftestOutputs, quantize, tokenizerBytes = null }) {
    return toBundle({
      tokenizerBytes,
      manifest,
      weight: (name) => /** @type {Float32Array} */ (/** @type {View} */ (this.weights.get(name)).data),
      optimizer: this.optimizer,
      selftestOutputs,
      quantize,
    });
  }

  /** Frees the executor (arena and plans). */
  dispose() {
    this.#executor?.dispose();
    this.#executor = null;
    this.#evalExecutor?.dispose();
    this.#evalExecutor = null;
  }
}

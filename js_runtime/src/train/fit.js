/**
 * `fit`, `evaluate` and `trainStep` with Keras semantics (as the Python `Model.fit`): x and y checked
 * whole before anything runs, batches in a seeded shuffled order, the epoch loss the mean over examples
 * (each batch's mean weighted by its size), accuracy as Python's `accuracy` metric picks it from the
 * loss, validation at the end of each epoch, a non-finite loss stopping before its batch is applied
 * (ENONFINITE naming epoch and batch), and an AbortSignal checked between steps (EABORTED; every step
 * is applied whole or not at all).
 * @module
 */

import { WebgradError, throwIfAborted } from '../errors.js';
import { prepareInputs } from '../inputs.js';
import { Tensor } from '../tensor.js';
import { sizeOf } from '../shapes.js';
import { prepareLabels } from './labels.js';
import { random } from './random.js';

/** @typedef {import('./trainer.js').Trainer} Trainer */
/** @typedef {import('../executor.js').TensorSpec} TensorSpec */
/** @typedef {import('../inputs.js').ModelInput} ModelInput */
/** @typedef {import('./labels.js').Labels} Labels */
/** @typedef {{loss: number, accuracy?: number, val_loss?: number, val_accuracy?: number}} Logs */
/**
 * @typedef {object} FitOptions
 * @property {number} [epochs] passes over the data (default 1)
 * @property {number} [batchSize] examples per step (default 32; the last batch may be smaller)
 * @property {boolean} [shuffle] a new order each epoch (default true), from `seed`
 * @property {number} [seed] seed of the shuffling and of the dropout masks (default: a random one); the same
 *   seed gives the same training
 * @property {number} [learningRate] overrides the bundle's optimizer learning rate
 * @property {[ModelInput, unknown]} [validationData] `[x, y]` evaluated at the end of each epoch
 * @property {(batch: number, logs: Logs) => unknown} [onBatchEnd] after each step (awaited)
 * @property {(epoch: number, logs: Logs) => unknown} [onEpochEnd] after each epoch (awaited)
 * @property {AbortSignal} [signal] stops between steps with EABORTED
 * @property {Proximal} [proximal] FedProx: adds `mu * (w - center[w])` to each trainable weight's gradient
 *   (the gradient of the proximal term `mu / 2 * ||w - center||^2`, Li et al. 2020) before every step
 * @property {boolean} [resetOptimizer] start from a fresh optimizer state (zero slots, step count 0), as a
 *   federated client does each round
 */
/**
 * @typedef {object} Proximal
 * @property {number} mu the proximal coefficient (>= 0)
 * @property {Record<string, Float32Array>} center the global weights, by trainable weight name
 */
/** @typedef {{loss: number[], accuracy?: number[], val_loss?: number[], val_accuracy?: number[]}} History */

/**
 * Which accuracy Python's `accuracy` metric computes for a loss (none for regression losses).
 * @param {string} loss
 * @returns {'categorical' | 'binary' | null}
 */
export function accuracyKind(loss) {
  if (loss === 'binary_crossentropy') return 'binary';
  if (loss === 'sparse_categorical_crossentropy' || loss === 'categorical_crossentropy') return 'categorical';
  return null;
}

/**
 * Correct predictions of a batch (and how many were scored): argmax against the label's class, or
 * outputs on the label's side of 0.5.
 * @param {'categorical' | 'binary'} kind
 * @param {Float32Array} pred @param {readonly number[]} predShape
 * @param {Float32Array} labels the batch's label rows
 */
function countCorrect(kind, pred, predShape, labels) {
  if (kind === 'binary') {
    let ok = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] > 0.5 === labels[i] > 0.5) ok++;
    return { correct: ok, count: pred.length };
  }
  const k = predShape[predShape.length - 1];
  const rows = pred.length / k;
  let ok = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let label = 0;
    for (let j = 1; j < k; j++) {
      if (pred[r * k + j] > pred[r * k + best]) best = j;
      if (labels[r * k + j] > labels[r * k + label]) label = j;
    }
    if (best === label) ok++;
  }
  return { correct: ok, count: rows };
}

/**
 * The model inputs of a data set, checked: one tensor per signature input, all with the same example
 * count (not copied: a Tensor given is used as it is).
 * @param {ModelInput} x
 * @param {readonly TensorSpec[]} specs the model's inputs
 * @param {string} what 'x', 'trainStep' or 'validationData' for messages
 */
function checkedInputs(x, specs, what) {
  let inputs;
  try {
    inputs = prepareInputs(x, specs);
  } catch (e) {
    const err = /** @type {WebgradError} */ (e);
    throw new WebgradError(err.code, `${what}: ${err.message}`, { cause: e });
  }
  const n = inputs[0].shape[0];
  inputs.forEach((t, i) => {
    if (t.shape[0] !== n)
      throw new WebgradError(
        'EINPUT',
        `${what}: input '${specs[i].name}' has ${t.shape[0]} examples, '${specs[0].name}' ${n}`,
      );
  });
  if (!n) throw new WebgradError('EINPUT', `${what}: no examples (the batch dim is 0)`);
  return { inputs, n };
}

/** A data set checked whole: the inputs, their example count, and the label rows. */
class DataSet {
  /**
   * @param {ModelInput} x
   * @param {unknown} y
   * @param {Trainer} trainer
   * @param {readonly TensorSpec[]} specs the model's inputs
   * @param {string} what 'x' or 'validationData' for messages
   */
  constructor(x, y, trainer, specs, what) {
    const { inputs, n } = checkedInputs(x, specs, what);
    this.n = n;
    this.inputs = inputs;
    /** @type {number[]} elements per example of each input */
    this.rowSizes = inputs.map((t) => sizeOf(t.shape.slice(1)));
    /** @type {Labels} */
    this.labels = prepareLabels(y, this.n, trainer.training.labels);
    /** @type {Map<number, {inputs: Tensor[], labels: Tensor}>} batch tensors by batch size, reused */
    this.buffers = new Map();
    /** @type {{inputs: Tensor[], labels: Tensor} | null} the whole set as one batch, in order (no copy) */
    this.whole = null;
  }

  /**
   * The batch of examples `order[start .. start + size)`, gathered into buffers reused across steps
   * (the whole set in order is passed as it is).
   * @param {Int32Array | null} order null: in order
   * @param {number} start
   * @param {number} size
   */
  batch(order, start, size) {
    if (!order && start === 0 && size === this.n) {
      this.whole ??= {
        inputs: this.inputs,
        labels: new Tensor(this.labels.data, [this.n, ...this.labels.rowShape], 'float32'),
      };
      return this.whole;
    }
    let b = this.buffers.get(size);
    if (!b) {
      const inputs = this.inputs.map((t, k) => {
        const Ctor = /** @type {any} */ (t.dataSync().constructor);
        return new Tensor(new Ctor(size * this.rowSizes[k]), [size, ...t.shape.slice(1)], t.dtype);
      });
      const labels = new Tensor(
        new Float32Array(size * this.labels.rowSize),
        [size, ...this.labels.rowShape],
        'float32',
      );
      b = { inputs, labels };
      if (this.buffers.size > 2) this.buffers.clear(); // the full and the last batch sizes, and evaluate's
      this.buffers.set(size, b);
    }
    for (let k = 0; k < this.inputs.length; k++)
      copyRows(this.inputs[k].dataSync(), b.inputs[k].dataSync(), this.rowSizes[k], order, start, size);
    copyRows(this.labels.data, b.labels.dataSync(), this.labels.rowSize, order, start, size);
    return b;
  }
}

/**
 * Copies rows `order[start .. start + size)` (or `start ..` in order) of `src` to the rows of `dst`.
 * @param {any} src @param {any} dst typed arrays of one kind
 * @param {number} row elements per row
 * @param {Int32Array | null} order @param {number} start @param {number} size
 */
function copyRows(src, dst, row, order, start, size) {
  if (!order) {
    dst.set(src.subarray(start * row, (start + size) * row));
    return;
  }
  for (let i = 0; i < size; i++) {
    const e = order[start + i];
    dst.set(src.subarray(e * row, (e + 1) * row), i * row);
  }
}

/** @type {WeakMap<Trainer, Tensor>} `trainStep`'s label rows, by trainer: reused while the shape stays */
const stepLabels = new WeakMap();

/**
 * `trainStep`'s labels, checked and written into the trainer's reused label tensor.
 * @param {Trainer} trainer @param {unknown} y @param {number} n
 */
function labelsForStep(trainer, y, n) {
  const old = stepLabels.get(trainer);
  const { data, rowShape } = prepareLabels(
    y,
    n,
    trainer.training.labels,
    /** @type {Float32Array | undefined} */ (old?.dataSync()),
  );
  const shape = [n, ...rowShape];
  if (old && data === old.dataSync() && shape.length === old.shape.length && shape.every((d, i) => d === old.shape[i]))
    return old;
  const t = new Tensor(data, shape, 'float32');
  stepLabels.set(trainer, t);
  return t;
}

/**
 * @param {Int32Array} order shuffled in place (Fisher-Yates)
 * @param {() => number} rand
 */
function shuffleInPlace(order, rand) {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

/** Lets timers and the AbortSignal's listeners run between steps. */
const yieldToEvents = () =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * @param {unknown} v @param {string} name @param {number} fallback
 */
function positiveInteger(v, name, fallback) {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || /** @type {number} */ (v) < 1)
    throw new WebgradError('EARG', `fit: ${name} must be a positive integer, got ${String(v)}`);
  return /** @type {number} */ (v);
}

/**
 * @param {unknown} lr
 * @returns {number | undefined}
 */
function learningRateOf(lr) {
  if (lr !== undefined && !(typeof lr === 'number' && lr > 0 && Number.isFinite(lr)))
    throw new WebgradError('EARG', `learningRate must be a finite number > 0, got ${String(lr)}`);
  return lr;
}

/**
 * `fit`'s proximal option, checked: mu a finite number >= 0 and a center of each trainable weight's size.
 * @param {Trainer} trainer @param {unknown} p
 * @returns {Proximal | undefined} undefined when there is no proximal term (absent, or mu 0)
 */
function proximalOf(trainer, p) {
  if (p === undefined) return undefined;
  const { mu, center } = /** @type {Proximal} */ (p ?? {});
  if (!(typeof mu === 'number' && Number.isFinite(mu) && mu >= 0))
    throw new WebgradError('EARG', `fit: proximal.mu must be a finite number >= 0, got ${String(mu)}`);
  if (!center || typeof center !== 'object')
    throw new WebgradError('EARG', 'fit: proximal.center must be an object {weight name: Float32Array}');
  for (const [name] of trainer.gradAt) {
    const c = center[name];
    const n = trainer.weights.get(name)?.data.length;
    if (!(c instanceof Float32Array) || c.length !== n)
      throw new WebgradError(
        'EARG',
        `fit: proximal.center['${name}'] must be a Float32Array of ${n} values, got ${c instanceof Float32Array ? c.length + ' values' : typeof c}`,
      );
  }
  return mu ? { mu, center } : undefined;
}

/**
 * Runs batches of a data set through `run`, averaging the loss over examples and counting accuracy.
 * @param {DataSet} ds
 * @param {number} batchSize
 * @param {'categorical' | 'binary' | null} kind
 * @param {(b: {inputs: Tensor[], labels: Tensor}) => import('./trainer.js').StepResult} run
 */
function evaluateSet(ds, batchSize, kind, run) {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  for (let start = 0; start < ds.n; start += batchSize) {
    const size = Math.min(batchSize, ds.n - start);
    const b = ds.batch(null, start, size);
    const r = run(b);
    lossSum += r.loss * size;
    if (kind) {
      const c = countCorrect(kind, r.predictions, r.predictionShape, /** @type {Float32Array} */ (b.labels.dataSync()));
      correct += c.correct;
      count += c.count;
    }
  }
  /** @type {Logs} */
  const logs = { loss: lossSum / ds.n };
  if (kind) logs.accuracy = correct / count;
  return logs;
}

/**
 * `model.evaluate(x, y)`: the mean loss (and accuracy) over the data, weights untouched.
 * @param {Trainer} trainer
 * @param {readonly TensorSpec[]} specs
 * @param {ModelInput} x
 * @param {unknown} y
 * @param {{batchSize?: number}} [options] default 256
 * @returns {Logs}
 */
export function evaluate(trainer, specs, x, y, { batchSize } = {}) {
  const ds = new DataSet(x, y, trainer, specs, 'evaluate');
  const kind = accuracyKind(trainer.training.loss.name);
  return evaluateSet(ds, positiveInteger(batchSize, 'batchSize', 256), kind, (b) =>
    trainer.evaluateBatch(b.inputs, b.labels),
  );
}

/**
 * `model.trainStep(x, y)`: one optimizer step on the whole of x and y (one batch).
 * @param {Trainer} trainer
 * @param {readonly TensorSpec[]} specs
 * @param {ModelInput} x
 * @param {unknown} y
 * @param {{learningRate?: number}} [options]
 * @returns {{loss: number}}
 */
export function trainStep(trainer, specs, x, y, { learningRate } = {}) {
  const lr = learningRateOf(learningRate);
  // x is one batch in order: fed as it is; the labels go into a buffer reused across calls
  const { inputs, n } = checkedInputs(x, specs, 'trainStep');
  const r = trainer.step(inputs, labelsForStep(trainer, y, n), lr);
  if (!Number.isFinite(r.loss))
    throw new WebgradError(
      'ENONFINITE',
      `trainStep: the loss is ${r.loss}; the step was not applied (weights unchanged)`,
    );
  return { loss: r.loss };
}

/**
 * `model.fit(x, y, options)`: see {@link FitOptions}.
 * @param {Trainer} trainer
 * @param {readonly TensorSpec[]} specs
 * @param {ModelInput} x
 * @param {unknown} y
 * @param {FitOptions} [options]
 * @param {() => void} [check] throws when the model was disposed meanwhile
 * @returns {Promise<{history: History}>}
 */
export async function fit(trainer, specs, x, y, options = {}, check = () => {}) {
  const { shuffle = true, validationData, onBatchEnd, onEpochEnd, signal } = options;
  const epochs = positiveInteger(options.epochs, 'epochs', 1);
  const batchSize = positiveInteger(options.batchSize, 'batchSize', 32);
  const lr = learningRateOf(options.learningRate);
  const proximal = proximalOf(trainer, options.proximal);
  for (const [name, fn] of /** @type {[string, unknown][]} */ ([
    ['onBatchEnd', onBatchEnd],
    ['onEpochEnd', onEpochEnd],
  ]))
    if (fn !== undefined && typeof fn !== 'function') throw new WebgradError('EARG', `fit: ${name} must be a function`);
  if (signal !== undefined && !(signal && typeof signal.aborted === 'boolean'))
    throw new WebgradError('EARG', 'fit: signal must be an AbortSignal');
  if (validationData !== undefined && !(Array.isArray(validationData) && validationData.length === 2))
    throw new WebgradError('EARG', 'fit: validationData must be a pair [x, y]');
  const ds = new DataSet(x, y, trainer, specs, 'fit');
  const val = validationData
    ? new DataSet(validationData[0], validationData[1], trainer, specs, 'validationData')
    : null;
  const kind = accuracyKind(trainer.training.loss.name);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  if (!Number.isFinite(seed)) throw new WebgradError('EARG', `fit: seed must be a number, got ${String(seed)}`);
  const rand = random(seed);
  trainer.seedDropout(seed);
  if (options.resetOptimizer) trainer.optimizer.reset();
  /** @type {History} */
  const history = { loss: [] };
  if (kind) history.accuracy = [];
  if (val) {
    history.val_loss = [];
    if (kind) history.val_accuracy = [];
  }
  const order = Int32Array.from({ length: ds.n }, (_, i) => i);
  const steps = Math.ceil(ds.n / batchSize);
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (shuffle) shuffleInPlace(order, rand);
    let lossSum = 0;
    let seen = 0;
    let correct = 0;
    let count = 0;
    for (let s = 0; s < steps; s++) {
      const where = `epoch ${epoch + 1} of ${epochs}, batch ${s + 1} of ${steps}`;
      check();
      throwIfAborted(signal, `fit (before ${where})`);
      const size = Math.min(batchSize, ds.n - s * batchSize);
      const b = ds.batch(order, s * batchSize, size);
      const r = trainer.step(b.inputs, b.labels, lr, proximal);
      if (!Number.isFinite(r.loss))
        throw new WebgradError(
          'ENONFINITE',
          `fit: the loss became ${r.loss} at ${where}; training stopped before applying that batch (the weights are as after the previous one; try a lower learningRate)`,
        );
      lossSum += r.loss * size;
      seen += size;
      /** @type {Logs} */
      const logs = { loss: lossSum / seen };
      if (kind) {
        const c = countCorrect(
          kind,
          r.predictions,
          r.predictionShape,
          /** @type {Float32Array} */ (b.labels.dataSync()),
        );
        correct += c.correct;
        count += c.count;
        logs.accuracy = correct / count;
      }
      if (onBatchEnd) await onBatchEnd(s, logs);
      await yieldToEvents();
    }
    /** @type {Logs} */
    const logs = { loss: lossSum / seen };
    if (kind) logs.accuracy = correct / count;
    if (val) {
      const v = evaluateSet(val, Math.max(batchSize, 256), kind, (b) => trainer.evaluateBatch(b.inputs, b.labels));
      logs.val_loss = v.loss;
      if (kind) logs.val_accuracy = v.accuracy;
    }
    for (const key of /** @type {(keyof Logs)[]} */ (Object.keys(logs)))
      history[key]?.push(/** @type {number} */ (logs[key]));
    check();
    if (onEpochEnd) await onEpochEnd(epoch, logs);
  }
  return { history };
}

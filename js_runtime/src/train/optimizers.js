/**
 * The optimizers of trainable bundles: SGD (momentum, Nesterov) and Adam, with exactly the update rules
 * and the float32 arithmetic order of the Python reference (`authoring/optimizers.py`). Every operation
 * is one float32 operation there; here it is computed in float64 and rounded with `Math.fround`, which
 * gives the same float32 result for +, -, *, / and sqrt (one rounding of the exact value). The weights
 * are updated in place (their `view.data`, read afresh each step: a wasm backend may re-create it when
 * its memory moves); the state (`iterations`, slots) is kept for `toBundle`. On a backend with an
 * `optimizerUpdate` hook (wasm: SIMD kernels over linear memory, the same float32 operations in the same
 * order, so the same bits) a weight whose gradient, weight and slots all live in its memory is updated
 * there; otherwise by the loops below.
 * @module
 */

import { WebgradError } from '../errors.js';

const f = Math.fround;

/** @typedef {import('../backends/interface.js').View} View */
/** @typedef {import('../backends/interface.js').Backend} Backend */
/**
 * @typedef {{name: 'sgd', learning_rate: number, momentum?: number, nesterov?: boolean} |
 *   {name: 'adam', learning_rate: number, beta_1?: number, beta_2?: number, epsilon?: number}} OptimizerConfig
 */

/** The slot names of each optimizer, as in Python (`slot_names`). */
const SLOT_NAMES = { sgd: (/** @type {any} */ c) => (c.momentum ? ['velocity'] : []), adam: () => ['m', 'v'] };

/** An optimizer with its state. */
export class Optimizer {
  /**
   * @param {OptimizerConfig} config the bundle's `training.optimizer`
   * @param {Map<string, number>} sizes element count of each trainable weight
   * @param {{iterations: number, slots: Record<string, Record<string, Float32Array>>}} [state] saved state
   */
  constructor(config, sizes, state) {
    if (!Object.prototype.hasOwnProperty.call(SLOT_NAMES, config.name))
      throw new WebgradError(
        'ESCHEMA',
        `optimizer '${config.name}' is not one of ${Object.keys(SLOT_NAMES).join(', ')}`,
      );
    this.config = { ...config };
    /** @type {Backend | undefined} the backend whose `optimizerUpdate` runs the updates (`useBackend`) */
    this.backend = undefined;
    /** Steps taken (Python's `iterations`). */
    this.iterations = state?.iterations ?? 0;
    this.slotNames = SLOT_NAMES[config.name](config);
    /** @type {Map<string, Record<string, Float32Array>>} slot arrays by weight name */
    this.slots = new Map();
    for (const [name, n] of sizes) {
      /** @type {Record<string, Float32Array>} */
      const s = {};
      for (const k of this.slotNames) {
        const saved = state?.slots[name]?.[k];
        s[k] = saved ? Float32Array.from(saved) : new Float32Array(n);
      }
      this.slots.set(name, s);
    }
  }

  /**
   * Lets `backend` run the updates (its `optimizerUpdate` hook), moving the slots into its memory
   * (`adoptArray`) where it can host them. Call it before the backend allocates an arena: a slot it cannot
   * host stays a JS array, and the weights with such a slot are updated by the JS loops.
   * @param {Backend} backend
   */
  useBackend(backend) {
    if (!backend.optimizerUpdate) return;
    this.backend = backend;
    if (!backend.adoptArray) return;
    for (const [name, s] of this.slots) {
      /** @type {Record<string, Float32Array>} */
      const hosted = {};
      for (const k of this.slotNames) {
        const view = backend.adoptArray(s[k]);
        if (!view) return; // this and the remaining weights keep their JS slots
        // a getter: the backend re-creates view.data when its memory moves
        Object.defineProperty(hosted, k, { get: () => view.data, enumerable: true });
      }
      this.slots.set(name, hosted);
    }
  }

  /** Back to a fresh state: step count 0 and zero slots (a federated client's optimizer each round). */
  reset() {
    this.iterations = 0;
    for (const s of this.slots.values()) for (const k of this.slotNames) s[k].fill(0);
  }

  /** The learning rate the next step uses. */
  get learningRate() {
    return this.config.learning_rate;
  }

  /**
   * One step: every trainable weight updated in place from its gradient (Python's `apply_gradients`).
   * @param {Map<string, Float32Array>} grads by weight name
   * @param {(name: string) => Float32Array} weight the weight's current data, by name
   * @param {number} [learningRate] overrides the configured one
   */
  apply(grads, weight, learningRate = this.config.learning_rate) {
    const t = this.iterations + 1;
    const lr = f(learningRate);
    const c = /** @type {any} */ (this.config);
    const hook = this.backend?.optimizerUpdate;
    /** @type {number[]} the float32 scalars of this step, as the kernels and the loops use them */
    let hyper;
    if (c.name === 'sgd') {
      const momentum = f(c.momentum ?? 0);
      hyper = [lr, momentum, c.nesterov && momentum ? 1 : 0];
    } else hyper = adamScalars(lr, t, c);
    for (const [name, g] of grads) {
      const w = weight(name);
      const s = /** @type {Record<string, Float32Array>} */ (this.slots.get(name));
      if (c.name === 'sgd') {
        const v = hyper[1] ? s.velocity : undefined;
        if (hook?.call(this.backend, 'sgd', [w, g, v], hyper)) continue;
        sgd(w, g, v, hyper[0], hyper[1], Boolean(hyper[2]));
      } else {
        if (hook?.call(this.backend, 'adam', [w, g, s.m, s.v], hyper)) continue;
        adam(w, g, s.m, s.v, hyper);
      }
    }
    this.iterations = t;
  }
}

/**
 * Plain SGD and momentum/Nesterov SGD. The loops are the hot path of a step (every trainable weight,
 * every step): typed-array locals only, one pass per weight, and the plain loop unrolled by four (V8
 * does not vectorize; unrolling halves the loop overhead). Each `f(...)` is one float32 operation of
 * the Python reference; the final `w[i] - step` / `w[i] + vi` is rounded to float32 by the store.
 * @param {Float32Array} w @param {Float32Array} g @param {Float32Array | undefined} v
 * @param {number} lr @param {number} momentum @param {boolean} nesterov
 */
function sgd(w, g, v, lr, momentum, nesterov) {
  const n = w.length;
  if (!momentum || !v) {
    // value -= lr * grad
    let i = 0;
    for (const end = n - 3; i < end; i += 4) {
      const g0 = g[i];
      const g1 = g[i + 1];
      const g2 = g[i + 2];
      const g3 = g[i + 3];
      w[i] = w[i] - f(lr * g0);
      w[i + 1] = w[i + 1] - f(lr * g1);
      w[i + 2] = w[i + 2] - f(lr * g2);
      w[i + 3] = w[i + 3] - f(lr * g3);
    }
    for (; i < n; i++) w[i] = w[i] - f(lr * g[i]);
    return;
  }
  if (nesterov) {
    for (let i = 0; i < n; i++) {
      const step = f(lr * g[i]);
      const vi = f(f(v[i] * momentum) - step); // v *= momentum; v -= lr * grad
      v[i] = vi;
      w[i] = w[i] + f(f(momentum * vi) - step); // value += momentum * v - lr * grad
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const vi = f(f(v[i] * momentum) - f(lr * g[i])); // v *= momentum; v -= lr * grad
    v[i] = vi;
    w[i] = w[i] + vi; // value += v
  }
}

/**
 * Adam's float32 scalars of step `t`, with the bias correction folded into the step size (Python's
 * `scalars`): [lr_t, b1, b2, 1 - b1, 1 - b2, epsilon].
 * @param {number} lr @param {number} t @param {{beta_1?: number, beta_2?: number, epsilon?: number}} c
 * @returns {number[]}
 */
function adamScalars(lr, t, c) {
  const b1 = f(c.beta_1 ?? 0.9);
  const b2 = f(c.beta_2 ?? 0.999);
  const eps = f(c.epsilon ?? 1e-7);
  // lr_t = lr * float32(sqrt(1 - b2^t) / (1 - b1^t)), the ratio in float64 as Python computes it
  const lrT = f(lr * f(Math.sqrt(1 - b2 ** t) / (1 - b1 ** t)));
  return [lrT, b1, b2, f(1 - b1), f(1 - b2), eps];
}

/**
 * Adam (Python's `_adam_step`) with the scalars of {@link adamScalars}.
 * @param {Float32Array} w @param {Float32Array} g @param {Float32Array} m @param {Float32Array} v
 * @param {number[]} scalars
 */
function adam(w, g, m, v, [lrT, b1, b2, a1, a2, eps]) {
  const n = w.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = f(f(m[i] * b1) + f(a1 * gi));
    const vi = f(f(v[i] * b2) + f(a2 * f(gi * gi)));
    m[i] = mi;
    v[i] = vi;
    const denom = f(f(Math.sqrt(vi)) + eps);
    w[i] -= f(f(mi / denom) * lrT);
  }
}

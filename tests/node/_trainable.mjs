// A small trainable bundle made in JS (formatVersion 2 with a `training` section): softmax regression
// x [null, F] -> logits = x @ W + b -> probs = Softmax(logits), with the loss graph the Python
// exporter captures for sparse categorical cross-entropy on a Softmax output: -sum(onehot * LogSoftmax(logits)).

import { syntheticBundle } from './_synthetic.mjs';

export const FEATURES = 4;
export const CLASSES = 3;

/** Deterministic pseudo-random numbers in [-1, 1). */
export function noise(seed, n) {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 31 - 1;
  });
}

/** A separable data set: class c has its mean at feature c (n examples). */
export function dataset(n, seed = 7) {
  const x = noise(seed, n * FEATURES).map((v) => v * 0.3);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % CLASSES;
    x[i * FEATURES + y[i]] += 1.5;
  }
  return { x: { data: x, shape: [n, FEATURES] }, y };
}

/** Forward in float64 (for the self-test and reference gradients). */
export function forward(W, b, x, n) {
  const logits = new Float64Array(n * CLASSES);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < CLASSES; c++) {
      let s = b[c];
      for (let k = 0; k < FEATURES; k++) s += x[i * FEATURES + k] * W[k * CLASSES + c];
      logits[i * CLASSES + c] = s;
    }
  const probs = new Float64Array(n * CLASSES);
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * CLASSES, (i + 1) * CLASSES);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const z = e.reduce((p, q) => p + q, 0);
    for (let c = 0; c < CLASSES; c++) probs[i * CLASSES + c] = e[c] / z;
  }
  return { logits, probs };
}

/** Mean loss and gradients of W and b in float64. */
export function referenceGrads(W, b, x, y, n) {
  const { probs } = forward(W, b, x, n);
  const gW = new Float64Array(W.length);
  const gb = new Float64Array(b.length);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    loss -= Math.log(probs[i * CLASSES + y[i]]) / n;
    for (let c = 0; c < CLASSES; c++) {
      const d = (probs[i * CLASSES + c] - (y[i] === c ? 1 : 0)) / n;
      gb[c] += d;
      for (let k = 0; k < FEATURES; k++) gW[k * CLASSES + c] += x[i * FEATURES + k] * d;
    }
  }
  return { loss, gW, gb };
}

/**
 * The bundle map. `optimizer`: the training.optimizer entry; `trainable`: which of W, b train.
 */
export function trainableBundle({
  optimizer = { name: 'sgd', learning_rate: 0.5, momentum: 0, nesterov: false },
  trainable = ['W', 'b'],
} = {}) {
  const W = noise(3, FEATURES * CLASSES).map((v) => v * 0.1);
  const b = new Float32Array(CLASSES);
  const sx = Float32Array.from({ length: FEATURES }, (_, i) => i / 4);
  const { probs } = forward(W, b, sx, 1);
  const bundle = syntheticBundle({
    inputs: [{ name: 'x', dtype: 'float32', shape: [null, FEATURES] }],
    outputs: [{ name: 'probs', dtype: 'float32', shape: [null, CLASSES] }],
    nodes: [
      { name: 'dense', op: 'MatMul', inputs: ['x', 'W', 'b'], outputs: ['logits'], attrs: {} },
      { name: 'softmax', op: 'Softmax', inputs: ['logits'], outputs: ['probs'], attrs: { axis: -1 } },
    ],
    weights: {
      W: { data: W, shape: [FEATURES, CLASSES] },
      b: { data: b, shape: [CLASSES] },
      'loss/neg1': { data: Float32Array.of(-1), shape: [] },
    },
    selftest: {
      inputs: [{ name: 'x', shape: [1, FEATURES], data: sx }],
      outputs: [{ name: 'probs', shape: [1, CLASSES], data: Float32Array.from(probs) }],
    },
  });
  const model = bundle['model.json'];
  model.formatVersion = 2;
  model.training = {
    trainable,
    labels: { name: 'labels', encoding: 'onehot', shape: [null, CLASSES], classes: CLASSES },
    lossGraph: {
      inputs: ['logits', 'labels'],
      nodes: [
        { name: 'loss/logp', op: 'LogSoftmax', inputs: ['logits'], outputs: ['loss/logp'], attrs: { axis: -1 } },
        { name: 'loss/mul', op: 'Mul', inputs: ['labels', 'loss/logp'], outputs: ['loss/mul'], attrs: {} },
        { name: 'loss/sum', op: 'ReduceSum', inputs: ['loss/mul'], outputs: ['loss/sum'], attrs: { axes: [-1] } },
        { name: 'loss', op: 'Mul', inputs: ['loss/sum', 'loss/neg1'], outputs: ['loss'], attrs: {} },
      ],
      output: 'loss',
    },
    loss: { name: 'sparse_categorical_crossentropy', from_logits: false },
    optimizer,
    state: { iterations: 0, slots: {} },
  };
  return bundle;
}

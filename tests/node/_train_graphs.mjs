// Training graphs shared by tests/node/autodiff.test.mjs and tests/node/make_grad_fixtures.py (which
// reads them as JSON): forward graph, weights (shape, trainable, kind of random values), loss graph.
// The Python script builds the same graphs with webgrad's numpy ops and autodiff and writes the
// expected loss and gradients.

const f32 = 'float32';
const node = (name, op, inputs, attrs = {}) => ({ name, op, inputs, outputs: [name], attrs });

/**
 * Sparse categorical cross-entropy on probabilities, as authoring/losses.py builds it:
 * -sum(onehot * log(clip(p, eps, 1 - eps)), -1).
 */
export function crossEntropyLoss(pred) {
  return {
    inputs: [pred, 'labels'],
    nodes: [
      node('loss/clip_lo', 'Maximum', [pred, 'loss/eps']),
      node('loss/clip', 'Minimum', ['loss/clip_lo', 'loss/one_minus_eps']),
      node('loss/log', 'Log', ['loss/clip']),
      node('loss/mul', 'Mul', ['labels', 'loss/log']),
      node('loss/sum', 'ReduceSum', ['loss/mul'], { axes: [-1] }),
      node('loss/per_example', 'Mul', ['loss/sum', 'loss/minus_one']),
    ],
    output: 'loss/per_example',
  };
}
const lossConstants = {
  'loss/eps': { shape: [], value: 1e-7 },
  'loss/one_minus_eps': { shape: [], value: 1 - 1e-7 },
  'loss/minus_one': { shape: [], value: -1 },
};

/** Whole graphs (Python-checked). */
export const GRAPHS = {
  mlp: {
    inputs: [{ name: 'x', dtype: f32, shape: [null, 6] }],
    outputs: [{ name: 'probs', dtype: f32, shape: [null, 4] }],
    nodes: [
      node('h1', 'MatMul', ['x', 'w1', 'b1'], { activation: 'relu' }),
      node('h2', 'MatMul', ['h1', 'w2', 'b2'], { activation: 'tanh' }),
      node('logits', 'MatMul', ['h2', 'w3', 'b3']),
      node('probs', 'Softmax', ['logits'], { axis: -1 }),
    ],
    weights: {
      w1: { shape: [6, 8] },
      b1: { shape: [8] },
      w2: { shape: [8, 5] },
      b2: { shape: [5] },
      w3: { shape: [5, 4] },
      b3: { shape: [4], trainable: false },
      ...lossConstants,
    },
    batch: 3,
    classes: 4,
    loss: crossEntropyLoss('probs'),
  },
  cnn: {
    inputs: [{ name: 'x', dtype: f32, shape: [null, 6, 6, 2] }],
    outputs: [{ name: 'probs', dtype: f32, shape: [null, 3] }],
    nodes: [
      node('c1', 'Conv2D', ['x', 'k1', 'kb1'], { padding: 'SAME', activation: 'relu' }),
      node('p1', 'MaxPool2D', ['c1'], { pool_size: [2, 2], strides: [2, 2] }),
      node('c2', 'Conv2D', ['p1', 'k2'], { strides: [1, 1], padding: 'VALID', groups: 2 }),
      node('gap', 'GlobalAvgPool', ['c2']),
      node('logits', 'MatMul', ['gap', 'dw', 'db']),
      node('probs', 'Softmax', ['logits'], { axis: -1 }),
    ],
    weights: {
      k1: { shape: [3, 3, 2, 4] },
      kb1: { shape: [4] },
      k2: { shape: [2, 2, 2, 4] },
      dw: { shape: [4, 3] },
      db: { shape: [3] },
      ...lossConstants,
    },
    batch: 2,
    classes: 3,
    loss: crossEntropyLoss('probs'),
  },
  residual: {
    inputs: [{ name: 'x', dtype: f32, shape: [null, 4, 4, 3] }],
    outputs: [{ name: 'probs', dtype: f32, shape: [null, 2] }],
    nodes: [
      node('c1', 'Conv2D', ['x', 'k1'], { padding: 'SAME' }),
      node('bn', 'BatchNorm', ['c1', 'gamma', 'beta', 'mean', 'var'], { epsilon: 0.001 }),
      node('r', 'Relu', ['bn']),
      node('sum', 'Add', ['r', 'x']),
      node('flat', 'Flatten', ['sum'], { axis: 1 }),
      node('logits', 'MatMul', ['flat', 'dw', 'db']),
      node('probs', 'Softmax', ['logits'], { axis: -1 }),
    ],
    weights: {
      k1: { shape: [3, 3, 3, 3] },
      gamma: { shape: [3] },
      beta: { shape: [3] },
      mean: { shape: [3], trainable: false },
      var: { shape: [3], trainable: false, positive: true },
      dw: { shape: [48, 2] },
      db: { shape: [2] },
      ...lossConstants,
    },
    batch: 2,
    classes: 2,
    loss: crossEntropyLoss('probs'),
  },
  logits_ce: {
    inputs: [{ name: 'x', dtype: f32, shape: [null, 5] }],
    outputs: [{ name: 'logits', dtype: f32, shape: [null, 3] }],
    nodes: [node('logits', 'MatMul', ['x', 'w', 'b'])],
    weights: { w: { shape: [5, 3] }, b: { shape: [3] }, 'loss/minus_one': { shape: [], value: -1 } },
    batch: 4,
    classes: 3,
    // from_logits: -sum(onehot * log_softmax(logits), -1)
    loss: {
      inputs: ['logits', 'labels'],
      nodes: [
        node('loss/lsm', 'LogSoftmax', ['logits'], { axis: -1 }),
        node('loss/mul', 'Mul', ['labels', 'loss/lsm']),
        node('loss/sum', 'ReduceSum', ['loss/mul'], { axes: [-1] }),
        node('loss/per_example', 'Mul', ['loss/sum', 'loss/minus_one']),
      ],
      output: 'loss/per_example',
    },
  },
};

/** Trainable weights of a whole graph (those not marked otherwise, and not constants). */
export function trainableOf(g) {
  return Object.entries(g.weights)
    .filter(([, w]) => w.trainable !== false && w.value === undefined)
    .map(([name]) => name);
}

/**
 * Single-op cases for the finite-difference checks: `operands` are weights (all trainable unless
 * `trainable: false`), `values` the kind of random values ('any', 'positive', 'wide', 'spaced', 'mask'
 * (0 or 1), 'int:<n>' indices).
 */
export const OP_CASES = [
  ...['Add', 'Sub', 'Mul', 'Div', 'Maximum', 'Minimum'].flatMap((op) => [
    { op, operands: [{ shape: [3, 4] }, { shape: [4], values: op === 'Div' ? 'positive' : 'any' }] },
    { op, operands: [{ shape: [3, 1] }, { shape: [3, 4], values: op === 'Div' ? 'positive' : 'any' }] },
  ]),
  ...['Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Exp'].map((op) => ({ op, operands: [{ shape: [3, 5], values: 'wide' }] })),
  { op: 'LeakyRelu', attrs: { alpha: 0.3 }, operands: [{ shape: [3, 5] }] },
  { op: 'LeakyRelu', attrs: { alpha: -0.5 }, operands: [{ shape: [3, 5] }] },
  { op: 'Gelu', attrs: { approximate: false }, operands: [{ shape: [3, 5] }] },
  { op: 'Gelu', attrs: { approximate: true }, operands: [{ shape: [3, 5] }] },
  { op: 'Log', operands: [{ shape: [3, 4], values: 'positive' }] },
  { op: 'Sqrt', operands: [{ shape: [3, 4], values: 'positive' }] },
  { op: 'Softmax', attrs: { axis: -1 }, operands: [{ shape: [3, 4] }] },
  { op: 'Softmax', attrs: { axis: 0 }, operands: [{ shape: [3, 4] }] },
  { op: 'LogSoftmax', attrs: { axis: 1 }, operands: [{ shape: [2, 5] }] },
  { op: 'MatMul', operands: [{ shape: [3, 4] }, { shape: [4, 2] }] },
  { op: 'MatMul', attrs: { transpose_a: true }, operands: [{ shape: [4, 3] }, { shape: [4, 2] }] },
  { op: 'MatMul', attrs: { transpose_b: true }, operands: [{ shape: [3, 4] }, { shape: [2, 4] }] },
  {
    op: 'MatMul',
    attrs: { transpose_a: true, transpose_b: true },
    operands: [{ shape: [2, 4, 3] }, { shape: [2, 4] }],
  },
  { op: 'MatMul', operands: [{ shape: [2, 3, 4] }, { shape: [1, 4, 2] }] },
  { op: 'MatMul', operands: [{ shape: [3, 4] }, { shape: [2, 4, 2] }] },
  { op: 'MatMul', attrs: { activation: 'relu' }, operands: [{ shape: [3, 4] }, { shape: [4, 2] }, { shape: [2] }] },
  {
    op: 'MatMul',
    attrs: { activation: 'leaky_relu', alpha: -0.2 },
    operands: [{ shape: [3, 4] }, { shape: [4, 2] }, { shape: [2] }],
  },
  { op: 'MatMul', attrs: { activation: 'gelu' }, operands: [{ shape: [3, 4] }, { shape: [4, 2] }, { shape: [2] }] },
  { op: 'MatMul', attrs: { activation: 'sigmoid' }, operands: [{ shape: [3, 4] }, { shape: [4, 2] }, { shape: [2] }] },
  { op: 'Conv2D', operands: [{ shape: [2, 5, 5, 2] }, { shape: [3, 3, 2, 3] }] },
  {
    op: 'Conv2D',
    attrs: { strides: [2, 2], padding: 'SAME', activation: 'relu6' },
    operands: [{ shape: [1, 5, 6, 2] }, { shape: [3, 2, 2, 2] }, { shape: [2] }],
  },
  {
    op: 'Conv2D',
    attrs: { dilations: [2, 1], padding: [1, 0, 2, 1], activation: 'gelu' },
    operands: [{ shape: [1, 5, 4, 2] }, { shape: [2, 2, 2, 2] }, { shape: [2] }],
  },
  { op: 'Conv2D', attrs: { groups: 2 }, operands: [{ shape: [1, 4, 4, 4] }, { shape: [2, 2, 2, 4] }] },
  { op: 'Conv2D', attrs: { groups: 3, padding: 'SAME' }, operands: [{ shape: [1, 4, 4, 3] }, { shape: [3, 3, 1, 3] }] },
  {
    op: 'MaxPool2D',
    attrs: { pool_size: [2, 2], strides: [1, 1], padding: 'SAME' },
    operands: [{ shape: [1, 3, 4, 2], values: 'spaced' }],
  },
  {
    op: 'AvgPool2D',
    attrs: { pool_size: [2, 2], strides: [2, 2], padding: 'SAME' },
    operands: [{ shape: [1, 3, 5, 2] }],
  },
  { op: 'GlobalAvgPool', operands: [{ shape: [2, 3, 3, 2] }] },
  {
    op: 'BatchNorm',
    operands: [
      { shape: [2, 3, 2] },
      { shape: [2] },
      { shape: [2] },
      { shape: [2], trainable: false },
      { shape: [2], trainable: false, values: 'positive' },
    ],
  },
  { op: 'LayerNorm', attrs: { axis: -1 }, operands: [{ shape: [3, 4] }, { shape: [4] }, { shape: [4] }] },
  { op: 'LayerNorm', attrs: { axis: 1 }, operands: [{ shape: [2, 2, 3] }, { shape: [2, 3] }, { shape: [2, 3] }] },
  { op: 'Reshape', attrs: { shape: [0, 2, -1] }, operands: [{ shape: [3, 4] }] },
  { op: 'Flatten', attrs: { axis: 1 }, operands: [{ shape: [2, 2, 3] }] },
  { op: 'Transpose', attrs: { perm: [1, 2, 0] }, operands: [{ shape: [2, 3, 4] }] },
  { op: 'Concat', attrs: { axis: 1 }, operands: [{ shape: [2, 3] }, { shape: [2, 1] }, { shape: [2, 2] }] },
  { op: 'Concat', attrs: { axis: -1 }, operands: [{ shape: [2, 2] }, { shape: [2, 2], trainable: false }] },
  {
    op: 'Slice',
    attrs: { starts: [1, -4], ends: [3, 100], steps: [1, 2], axes: [0, 1] },
    operands: [{ shape: [3, 6] }],
  },
  { op: 'Gather', attrs: { axis: 0 }, operands: [{ shape: [4, 3] }, { shape: [5], dtype: 'int32', values: 'int:4' }] },
  {
    op: 'Gather',
    attrs: { axis: 1 },
    operands: [{ shape: [2, 4] }, { shape: [2, 2], dtype: 'int32', values: 'int:4' }],
  },
  { op: 'ReduceSum', attrs: { axes: [1], keepdims: true }, operands: [{ shape: [2, 3, 2] }] },
  { op: 'ReduceMean', attrs: { axes: [-1], keepdims: false }, operands: [{ shape: [2, 3, 2] }] },
  { op: 'ReduceMax', attrs: { axes: [1], keepdims: false }, operands: [{ shape: [3, 4], values: 'spaced' }] },
  // op set v2: Pad's rule is a Slice of g; Conv2DTranspose's a Conv2D of g and a Conv2DBackpropFilter
  // with image and cotangent swapped; Where's selects g into x's and y's shares (its mask is not
  // trained); Abs's is g * sign(x) from Greater and Less
  { op: 'Pad', attrs: { pads: [0, 0, 1, 2, 2, 0, 0, 1] }, operands: [{ shape: [2, 2, 3, 2] }] },
  { op: 'Pad', attrs: { pads: [1, 1, 0, 0], value: 3 }, operands: [{ shape: [2, 3] }] },
  { op: 'Pad', attrs: { pads: [0, 0, 0, 0] }, operands: [{ shape: [2, 3] }] },
  {
    op: 'Conv2DTranspose',
    attrs: { strides: [2, 2] },
    operands: [{ shape: [2, 2, 3, 2] }, { shape: [3, 3, 3, 2] }, { shape: [3] }],
  },
  {
    op: 'Conv2DTranspose',
    attrs: { strides: [2, 1], padding: 'SAME', activation: 'tanh' },
    operands: [{ shape: [1, 3, 2, 2] }, { shape: [2, 3, 2, 2] }, { shape: [2] }],
  },
  {
    op: 'Conv2DTranspose',
    attrs: { padding: [1, 0, 0, 1], dilations: [2, 1] },
    operands: [{ shape: [1, 3, 3, 1] }, { shape: [2, 2, 2, 1] }],
  },
  {
    op: 'Where',
    operands: [{ shape: [2, 3], trainable: false, values: 'mask' }, { shape: [2, 3] }, { shape: [2, 3] }],
  },
  {
    op: 'Where',
    operands: [{ shape: [3, 1], trainable: false, values: 'mask' }, { shape: [4] }, { shape: [2, 1, 1] }],
  },
  { op: 'Where', operands: [{ shape: [2, 3], trainable: false, values: 'mask' }, { shape: [] }, { shape: [3] }] },
  { op: 'Abs', operands: [{ shape: [3, 4] }] },
];

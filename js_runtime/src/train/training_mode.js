/**
 * The forward graph as it runs while training (Keras's `training=True`), from the `training` section's
 * `dropout` and `batchNorm` lists; the bundle's own graph is the inference graph and stays as it is.
 *
 * - Dropout (`{tensor, rate}`): the readers of `tensor` read `Mul(tensor, mask)` instead, where the mask
 *   is one more graph input (`dropout/mask/<k>`, the tensor's shape) that the trainer fills each step
 *   from its seeded generator with 0 or 1 / (1 - rate) (inverted dropout, as Keras). The mask is an
 *   ordinary input to an ordinary Mul, so the backward pass masks the gradient exactly as the forward
 *   pass masked the values.
 * - BatchNormalization in training mode (`{node, momentum}`): the node's BatchNorm (the inference op)
 *   is replaced by the batch-statistics form made of op-set ops, exactly as the Python layer computes
 *   it: `mean = ReduceMean(x)`, `c = x - mean`, `var = ReduceMean(c * c)`, `y = c / Sqrt(var + eps) *
 *   gamma + beta` (over every axis but the last), so the VJP rules give its full gradient (through the
 *   batch mean and variance). `mean` and `var` become graph outputs; after each applied step the trainer
 *   moves the moving statistics towards them (`moving = moving * momentum + batch * (1 - momentum)`, the
 *   biased batch variance, as Keras 3). A BatchNorm not listed (a frozen layer) stays in inference form.
 * @module
 */

import { WebgradError } from '../errors.js';
import { normalizeAttrs } from '../loader/attrs.js';

/** @typedef {import('../executor.js').Graph} Graph */
/** @typedef {import('../executor.js').TensorSpec} TensorSpec */
/** @typedef {import('../backends/interface.js').GraphNode} GraphNode */
/** @typedef {import('../backends/interface.js').View} View */
/** @typedef {import('../shapes.js').Dim} Dim */

/** @typedef {{tensor: string, rate: number}} DropoutJson a `training.dropout` entry */
/** @typedef {{node: string, momentum: number}} BatchNormJson a `training.batchNorm` entry */
/**
 * @typedef {{input: string, rate: number, shape: readonly Dim[]}} DropoutPoint the mask input the trainer
 *   fills (`shape`: the tensor's static shape, the batch dim null)
 */
/**
 * @typedef {{mean: string, variance: string, movingMean: string, movingVariance: string, momentum: number}}
 *   BatchNormPoint the graph outputs of a step's batch statistics and the weights they move
 */

/**
 * @param {Graph} graph the forward graph (attributes normalized)
 * @param {{dropout?: readonly DropoutJson[], batchNorm?: readonly BatchNormJson[]}} training
 * @param {(tensor: string) => readonly Dim[]} shapeOf static shapes of the forward graph's tensors
 * @param {(base: string) => string} unique a tensor/node name not yet taken
 * @returns {{graph: Graph, dropout: DropoutPoint[], batchNorm: BatchNormPoint[], constants: Map<string, View>}}
 */
export function trainingModeGraph(graph, training, shapeOf, unique) {
  const dropoutList = training.dropout ?? [];
  const bnList = training.batchNorm ?? [];
  /** @type {Map<string, View>} */
  const constants = new Map();
  if (!dropoutList.length && !bnList.length) return { graph, dropout: [], batchNorm: [], constants };
  const where = 'training graph';
  /** @type {Map<string, BatchNormJson>} */
  const bnByNode = new Map();
  for (const b of bnList) {
    const node = graph.nodes.find((n) => n.name === b.node);
    if (!node || node.op !== 'BatchNorm')
      throw new WebgradError(
        'EGRAPH',
        `${where}: training.batchNorm names node '${b.node}', which is no BatchNorm node`,
      );
    bnByNode.set(b.node, b);
  }
  /** @type {Map<string, string>} tensor -> what its readers read instead */
  const renamed = new Map();
  /** @type {TensorSpec[]} */
  const maskInputs = [];
  /** @type {DropoutPoint[]} */
  const dropout = [];
  /** @type {Map<string, GraphNode[]>} nodes to insert after the producer of a tensor (or first, for an input) */
  const after = new Map();
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const isInput = new Set(graph.inputs.map((s) => s.name));
  dropoutList.forEach((d, k) => {
    if (!produced.has(d.tensor) && !isInput.has(d.tensor))
      throw new WebgradError(
        'EGRAPH',
        `${where}: training.dropout[${k}] names tensor '${d.tensor}', which the forward graph does not make`,
      );
    if (graph.outputs.some((o) => o.name === d.tensor))
      throw new WebgradError('EGRAPH', `${where}: training.dropout[${k}]: '${d.tensor}' is a model output`);
    const shape = shapeOf(d.tensor);
    if (shape.slice(1).some((x) => x === null))
      throw new WebgradError(
        'EGRAPH',
        `${where}: training.dropout[${k}]: '${d.tensor}' has unknown dims besides the batch`,
      );
    const input = unique(`dropout/mask/${k}`);
    const out = unique(`${d.tensor}/dropout`);
    maskInputs.push({ name: input, dtype: 'float32', shape: [null, ...shape.slice(1)] });
    dropout.push({ input, rate: d.rate, shape: [null, ...shape.slice(1)] });
    const list = after.get(d.tensor) ?? [];
    list.push({ name: out, op: 'Mul', inputs: [renamed.get(d.tensor) ?? d.tensor, input], outputs: [out], attrs: {} });
    after.set(d.tensor, list);
    renamed.set(d.tensor, out);
  });
  /** @type {BatchNormPoint[]} */
  const batchNorm = [];
  /** @type {GraphNode[]} */
  const nodes = [...(after.get('') ?? [])];
  for (const s of graph.inputs) nodes.push(...(after.get(s.name) ?? []));
  const read = (/** @type {string} */ t) => renamed.get(t) ?? t;
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((t) => (t ? read(t) : t));
    const bn = bnByNode.get(node.name);
    if (!bn) nodes.push({ ...node, inputs });
    else {
      const [x, gamma, beta, movingMean, movingVariance] = inputs;
      const rank = shapeOf(node.inputs[0]).length;
      const axes = Array.from({ length: rank - 1 }, (_, i) => i);
      const reduce = normalizeAttrs('ReduceMean', { axes, keepdims: true });
      const eps = unique(`${node.name}/epsilon`);
      constants.set(eps, { data: Float32Array.of(node.attrs.epsilon), shape: [], dtype: 'float32' });
      /** @param {string} hint @param {string} op @param {string[]} ins @param {Record<string, unknown>} attrs */
      const emit = (hint, op, ins, attrs = {}, out = unique(`${node.name}/train/${hint}`)) => {
        nodes.push({ name: out, op, inputs: ins, outputs: [out], attrs: op === 'ReduceMean' ? attrs : {} });
        return out;
      };
      const mean = emit('mean', 'ReduceMean', [x], reduce);
      const c = emit('centered', 'Sub', [x, mean]);
      const sq = emit('squared', 'Mul', [c, c]);
      const variance = emit('variance', 'ReduceMean', [sq], reduce);
      const ve = emit('variance_eps', 'Add', [variance, eps]);
      const sd = emit('std', 'Sqrt', [ve]);
      const normed = emit('normalized', 'Div', [c, sd]);
      const scaled = emit('scaled', 'Mul', [normed, gamma]);
      emit('shifted', 'Add', [scaled, beta], {}, node.outputs[0]);
      batchNorm.push({ mean, variance, movingMean, movingVariance, momentum: bn.momentum });
    }
    for (const o of node.outputs) nodes.push(...(after.get(o) ?? []));
  }
  return { graph: { ...graph, inputs: [...graph.inputs, ...maskInputs], nodes }, dropout, batchNorm, constants };
}

/**
 * The loss graph of a trainable bundle checked at every load (plain loads too, as Python's reader
 * does), once the forward graph is known: op-set ops only (a gradient op or an unknown op is
 * EUNKNOWN_OP), valid attributes (EATTR), `lossGraph.inputs` naming forward tensors or the labels,
 * every node input defined before use, and `lossGraph.output` made by a loss-graph node (EGRAPH); and
 * the training-mode lists: each `dropout` tensor made by the forward graph, each `batchNorm` node a
 * BatchNorm node whose moving statistics are float32 weights outside `trainable` (EGRAPH).
 * @module
 */

import { WebgradError } from '../errors.js';
import { checkedAttrs } from '../loader/attrs.js';

/** @typedef {import('../loader/manifest.js').TrainingJson} TrainingJson */
/** @typedef {import('../executor.js').Graph} Graph */

/**
 * @param {TrainingJson} training
 * @param {Graph} graph the checked forward graph
 * @param {ReadonlyMap<string, unknown>} weights the weight table
 * @param {string} where
 * @param {number} [declared] the bundle's opsetVersion (an op newer than it is EVERSION)
 */
export function checkLossGraph(training, graph, weights, where, declared = undefined) {
  const at = `${where}: training.lossGraph`;
  const forward = new Set([...graph.inputs.map((s) => s.name), ...weights.keys()]);
  for (const n of graph.nodes) for (const o of n.outputs) forward.add(o);
  const labels = training.labels.name;
  if (forward.has(labels))
    throw new WebgradError('EGRAPH', `${at}: the labels' name '${labels}' is already a tensor of the forward graph`);
  training.lossGraph.inputs.forEach((name, i) => {
    if (name !== labels && !forward.has(name))
      throw new WebgradError(
        'EGRAPH',
        `${at}.inputs[${i}]: '${name}' is neither a tensor of the forward graph nor the labels '${labels}'`,
      );
  });
  const defined = new Set([...training.lossGraph.inputs, ...weights.keys()]);
  const made = new Set();
  training.lossGraph.nodes.forEach((n, i) => {
    checkedAttrs(n, at, `nodes[${i}] ('${n.name}')`, declared);
    for (const input of n.inputs) {
      if (input && !defined.has(input))
        throw new WebgradError(
          'EGRAPH',
          `${at}.nodes[${i}] ('${n.name}') reads '${input}', which is not a lossGraph input, a weight or an earlier loss node's output`,
        );
    }
    for (const o of n.outputs) {
      if (defined.has(o) || forward.has(o))
        throw new WebgradError('EGRAPH', `${at}.nodes[${i}] ('${n.name}') redefines tensor '${o}'`);
      defined.add(o);
      made.add(o);
    }
  });
  if (!made.has(training.lossGraph.output))
    throw new WebgradError(
      'EGRAPH',
      `${at}.output: '${training.lossGraph.output}' is not made by any node of the loss graph`,
    );
  checkTrainingMode(training, graph, weights, where);
}

/**
 * @param {TrainingJson} training
 * @param {Graph} graph
 * @param {ReadonlyMap<string, unknown>} weights
 * @param {string} where
 */
function checkTrainingMode(training, graph, weights, where) {
  const forward = new Set(graph.inputs.map((s) => s.name));
  for (const n of graph.nodes) for (const o of n.outputs) forward.add(o);
  (training.dropout ?? []).forEach((d, i) => {
    if (!forward.has(d.tensor))
      throw new WebgradError(
        'EGRAPH',
        `${where}: training.dropout[${i}].tensor '${d.tensor}' is not a tensor of the forward graph`,
      );
  });
  const trainable = new Set(training.trainable);
  (training.batchNorm ?? []).forEach((b, i) => {
    const at = `${where}: training.batchNorm[${i}]`;
    const node = graph.nodes.find((n) => n.name === b.node);
    if (!node || node.op !== 'BatchNorm')
      throw new WebgradError('EGRAPH', `${at}.node '${b.node}' is not a BatchNorm node`);
    for (const k of [3, 4]) {
      const name = node.inputs[k];
      const w = /** @type {{dtype?: string} | undefined} */ (weights.get(name));
      if (!w || w.dtype !== 'float32')
        throw new WebgradError('EGRAPH', `${at}: moving statistic '${name}' is not a float32 weight`);
      if (trainable.has(name))
        throw new WebgradError(
          'EGRAPH',
          `${at}: moving statistic '${name}' is in training.trainable; it moves with the batch statistics instead`,
        );
    }
  });
}

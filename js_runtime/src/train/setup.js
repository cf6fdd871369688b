/**
 * `createTrainer`: the training side of a model loaded with `trainable: true`, from the loaded bundle
 * and its training graph: the weights prepared on the backend unpacked (the optimizer updates them in
 * place every step, so no pre-packed copy could stay current), with the training graph's constants but
 * without the optimizer's slot tensors (the optimizer keeps those); the forward executor on the same
 * weights; the optimizer with the bundle's state; the trainer.
 * @module
 */

import { Executor } from '../executor.js';
import { track } from '../resources.js';
import { buildTrainingGraph } from './autodiff.js';
import { Optimizer } from './optimizers.js';
import { Trainer } from './trainer.js';

/** @typedef {import('../backends/interface.js').Backend} Backend */
/** @typedef {import('../backends/interface.js').View} View */
/** @typedef {import('../executor.js').Graph} Graph */
/** @typedef {import('../loader/manifest.js').Manifest} Manifest */
/** @typedef {import('./trainer.js').TrainingGraph} TrainingGraph */

/**
 * @param {Backend} instance
 * @param {Graph} graph the forward graph
 * @param {Map<string, View>} weights every tensor of the weight table, float32 (or int32)
 * @param {Manifest} manifest with a `training` section
 * @param {TrainingGraph} tg from `buildTrainingGraph`
 * @param {number} maxArenaBytes
 * @returns {{executor: Executor, trainer: Trainer}}
 */
export function createTrainer(instance, graph, weights, manifest, tg, maxArenaBytes) {
  const spec = /** @type {NonNullable<Manifest['training']>} */ (manifest.training);
  const slotTensors = new Set(Object.values(spec.state.slots).flatMap((s) => Object.values(s)));
  const weightNames = [...weights.keys()].filter((n) => !slotTensors.has(n));
  /** @type {Map<string, View>} */
  const table = new Map(weightNames.map((n) => [n, /** @type {View} */ (weights.get(n))]));
  // evaluate runs in inference mode: without the dropout masks and batch statistics of the training graph
  const evalGraph =
    tg.dropout?.length || tg.batchNorm?.length
      ? buildTrainingGraph(graph, { ...spec, trainable: [], dropout: [], batchNorm: [] }, weights)
      : null;
  for (const [n, v] of [...(tg.constants ?? []), ...(evalGraph?.constants ?? [])]) if (!table.has(n)) table.set(n, v);
  const prepared = instance.prepareWeights(table, []); // no nodes: nothing packed
  track('weightsBytes', instance.weightsBytes());
  const sizes = new Map(spec.trainable.map((n) => [n, /** @type {View} */ (weights.get(n)).data.length]));
  /** @type {Record<string, Record<string, Float32Array>>} */
  const slots = {};
  for (const [w, s] of Object.entries(spec.state.slots))
    for (const [k, t] of Object.entries(s))
      (slots[w] ??= {})[k] = /** @type {Float32Array} */ (/** @type {View} */ (weights.get(t)).data);
  const optimizer = new Optimizer(spec.optimizer, sizes, { iterations: spec.state.iterations, slots });
  optimizer.useBackend(instance); // wasm: slots move into linear memory and updates run as SIMD kernels
  const trainer = new Trainer({
    training: spec,
    graph: tg,
    weights: prepared,
    backend: instance,
    maxArenaBytes,
    optimizer,
    weightNames,
    evalGraph,
  });
  const executor = new Executor(graph, prepared, instance, { maxArenaBytes });
  return { executor, trainer };
}

/**
 * Reverse-mode differentiation of a bundle's graph, done by the runtime (docs: TRAIN design, issue 15).
 *
 * `buildTrainingGraph` joins the forward graph, the bundle's loss graph (op-set nodes reading forward
 * tensors and the labels; per-example loss `[batch]`) and the mean over the batch, then walks the nodes
 * backwards calling each op's VJP rule (src/train/vjp/), which emits ordinary op-set nodes and gradient
 * ops. The result is ONE executor graph whose outputs are the predictions, the mean loss and the
 * gradient of every trainable weight; everything those outputs do not need is pruned. The executor runs
 * it like any graph: one arena plan per batch shape, nothing allocated per step.
 *
 * The batch is dynamic, so no rule bakes a batch size into a constant: the mean's 1/N comes from the
 * ReduceMean rule (BroadcastLike with `mean`), seeded by a constant scalar 1.
 * @module
 */

import { WebgradError } from '../errors.js';
import { OPSET } from '../opset.js';
import { inferNode } from '../shape_rules.js';
import { normalizeAttrs } from '../loader/attrs.js';
import { gradAttrs } from '../grad_shape_rules.js';
import { VJP_RULES } from './vjp/index.js';
import { trainingModeGraph } from './training_mode.js';

/** @typedef {import('../executor.js').Graph} Graph */
/** @typedef {import('../executor.js').TensorSpec} TensorSpec */
/** @typedef {import('../backends/interface.js').GraphNode} GraphNode */
/** @typedef {import('../backends/interface.js').View} View */
/** @typedef {import('../shapes.js').Dim} Dim */
/** @typedef {import('./vjp/_context.js').VjpContext} VjpContext */

/**
 * The `training` section of a trainable bundle's model.json (the fields read here).
 * @typedef {{trainable: readonly string[], labels: {name: string, shape: readonly (number | null)[]},
 *   lossGraph: {inputs: readonly string[], nodes: readonly GraphNode[], output: string},
 *   dropout?: readonly import('./training_mode.js').DropoutJson[],
 *   batchNorm?: readonly import('./training_mode.js').BatchNormJson[]}} TrainingSpec
 */

/**
 * @typedef {{graph: Graph, lossOutput: string, perExampleLossOutput: string,
 *   gradOutputs: Map<string, string>, predictionOutputs: string[], constants: Map<string, View>,
 *   dropout: import('./training_mode.js').DropoutPoint[], batchNorm: import('./training_mode.js').BatchNormPoint[]}}
 *   TrainingGraph
 * `constants`: scalars the rules added (by tensor name); run the graph with the weights AND these.
 * `dropout`: the mask inputs (after the model inputs and the labels) the trainer fills each step;
 * `batchNorm`: the batch statistics (graph outputs) of each BatchNormalization in training mode.
 */

/** Name of the mean-loss tensor (a suffix is added if the bundle already uses it). */
const LOSS_MEAN = 'loss/mean';

/**
 * Builds the training graph of `graph` (see the module doc).
 * @param {Graph} graph the forward graph (nodes in topological order, attributes normalized)
 * @param {TrainingSpec} training the bundle's `training` section
 * @param {ReadonlyMap<string, {shape: readonly number[], dtype: string}>} weights every weight (and constant)
 *   the forward and loss graphs read, for their static shapes
 * @returns {TrainingGraph}
 *
 * @example
 * const t = buildTrainingGraph(model.graph, manifest.training, weights);
 * const ex = new Executor(t.graph, new Map([...weights, ...t.constants]), backend);
 * const outs = ex.run([x, labels]); // predictions..., mean loss, then one gradient per trainable weight
 */
export function buildTrainingGraph(graph, training, weights) {
  const where = 'training graph';
  const labelsSpec = {
    name: training.labels.name,
    dtype: /** @type {const} */ ('float32'),
    shape: training.labels.shape,
  };
  const lossNodes = training.lossGraph.nodes.map((n) => ({
    name: n.name,
    op: n.op,
    inputs: [...n.inputs],
    outputs: [...n.outputs],
    attrs: checkedAttrs(n),
  }));
  /** @type {Set<string>} */
  const taken = new Set([...graph.inputs.map((s) => s.name), labelsSpec.name, ...weights.keys()]);
  for (const n of [...graph.nodes, ...lossNodes]) {
    for (const out of n.outputs) {
      if (taken.has(out))
        throw new WebgradError('EGRAPH', `${where}: tensor '${out}' (node '${n.name}') is defined twice`);
      taken.add(out);
    }
  }
  const perExample = training.lossGraph.output;
  if (!taken.has(perExample)) {
    throw new WebgradError('EGRAPH', `${where}: training.lossGraph.output '${perExample}' is not produced by any node`);
  }
  const unique = (/** @type {string} */ base) => {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };
  const lossMean = unique(LOSS_MEAN);
  // Dropout and BatchNormalization in training mode (training_mode.js); the inference graph otherwise
  const plainShapes = staticShapes(graph.inputs, graph.nodes, weights);
  const mode = trainingModeGraph(graph, training, (t) => /** @type {Dim[]} */ (plainShapes.get(t)), unique);
  graph = mode.graph;
  const forwardNodes = [
    ...graph.nodes,
    ...lossNodes,
    {
      name: lossMean,
      op: 'ReduceMean',
      inputs: [perExample],
      outputs: [lossMean],
      attrs: normalizeAttrs('ReduceMean', {}),
    },
  ];
  const plainInputs = graph.inputs.slice(0, graph.inputs.length - mode.dropout.length);
  const inputs = [...plainInputs, labelsSpec, ...graph.inputs.slice(plainInputs.length)];
  const known = new Map([...weights, ...mode.constants]);
  const shapes = staticShapes(inputs, forwardNodes, known);

  for (const name of training.trainable) {
    if (!weights.has(name))
      throw new WebgradError('EGRAPH', `${where}: trainable weight '${name}' is not a weight of the bundle`);
  }
  const needsGrad = tensorsNeedingGrad(forwardNodes, new Set(training.trainable));

  /** @type {GraphNode[]} */
  const backward = [];
  /** @type {Map<string, View>} */
  const constants = new Map(mode.constants);
  /** @type {Map<number, string>} */
  const constantByValue = new Map();
  /** @type {Map<string, string[]>} gradient contributions per tensor, summed when first read */
  const contributions = new Map();
  /** @type {Map<string, string>} */
  const finalGrad = new Map();

  /** @param {string} tensor @returns {string | null} */
  const gradOf = (tensor) => {
    const known = finalGrad.get(tensor);
    if (known) return known;
    const parts = contributions.get(tensor);
    if (!parts?.length) return null;
    let sum = parts[0];
    for (let i = 1; i < parts.length; i++) {
      const out = unique(i === parts.length - 1 ? `grad/${tensor}` : `grad/${tensor}/sum${i}`);
      backward.push({ name: out, op: 'Add', inputs: [sum, parts[i]], outputs: [out], attrs: {} });
      sum = out;
    }
    finalGrad.set(tensor, sum);
    return sum;
  };
  /** @type {VjpContext} */
  const ctx = {
    emit(op, ins, attrs, hint) {
      const out = unique(`grad/${ctx.node.name}/${hint}`);
      const norm = OPSET.ops[op] ? normalizeAttrs(op, attrs) : Object.freeze(gradAttrs(op, attrs));
      backward.push({ name: out, op, inputs: [...ins], outputs: [out], attrs: norm });
      return out;
    },
    constant(value) {
      const f = Math.fround(value);
      const had = constantByValue.get(f);
      if (had) return had;
      const name = unique(`const/${f}`);
      constants.set(name, { data: Float32Array.of(f), shape: [], dtype: 'float32' });
      taken.add(name);
      constantByValue.set(f, name);
      return name;
    },
    shape(tensor) {
      const s = shapes.get(tensor);
      if (!s) throw new WebgradError('EGRAPH', `${where}: no static shape for tensor '${tensor}'`);
      return s;
    },
    node: forwardNodes[0],
    sumTo(g, from, like, hint) {
      const to = ctx.shape(like);
      const fixed = (/** @type {readonly Dim[]} */ s) => s.every((d) => d !== null);
      if (fixed(from) && fixed(to) && sameDims(from, to)) return g; // nothing was broadcast
      return ctx.emit('SumTo', [g, like], {}, hint);
    },
  };
  contributions.set(lossMean, [ctx.constant(1)]);

  for (let i = forwardNodes.length - 1; i >= 0; i--) {
    const node = forwardNodes[i];
    const out = node.outputs[0];
    if (!needsGrad.has(out)) continue;
    const g = gradOf(out);
    if (g === null) continue; // does not reach the loss
    const rule = VJP_RULES[node.op];
    const specs = OPSET.ops[node.op].inputs;
    const needs = node.inputs.map((name, k) => {
      const spec = specs[Math.min(k, specs.length - 1)];
      return Boolean(name) && spec.differentiable !== false && needsGrad.has(name);
    });
    if (!needs.some(Boolean)) continue;
    if (!rule) {
      throw new WebgradError(
        'EGRAPH',
        `${where}: node '${node.name}' (${node.op}) has no gradient rule, but trainable weights reach the loss through it`,
      );
    }
    ctx.node = node;
    const grads = rule(ctx, node, g, needs);
    node.inputs.forEach((name, k) => {
      if (!needs[k]) return;
      const gk = grads[k];
      if (!gk) return;
      const list = contributions.get(name) ?? [];
      list.push(gk);
      contributions.set(name, list);
    });
  }

  /** @type {Map<string, string>} */
  const gradOutputs = new Map();
  for (const w of training.trainable) {
    let g = gradOf(w);
    if (g === null) {
      // unconnected to the loss: zeros, as the Python autodiff gives
      ctx.node = { name: w, op: 'Mul', inputs: [], outputs: [], attrs: {} };
      g = ctx.emit('Mul', [w, ctx.constant(0)], {}, 'zeros');
    }
    gradOutputs.set(w, g);
  }

  const predictionOutputs = graph.outputs.map((s) => s.name);
  /** @type {TensorSpec[]} */
  const outputs = [
    ...graph.outputs,
    { name: lossMean, dtype: 'float32', shape: [] },
    ...training.trainable.map((w) => ({
      name: /** @type {string} */ (gradOutputs.get(w)),
      dtype: /** @type {const} */ ('float32'),
      shape: [.../** @type {{shape: readonly number[]}} */ (weights.get(w)).shape],
    })),
    ...mode.batchNorm.flatMap((b) =>
      [b.mean, b.variance].map((name) => ({
        name,
        dtype: /** @type {const} */ ('float32'),
        shape: /** @type {Dim[]} */ (shapes.get(name)),
      })),
    ),
  ];
  const nodes = prune(
    [...forwardNodes, ...backward],
    outputs.map((s) => s.name),
  );
  for (const name of [...constants.keys()]) if (!nodes.some((n) => n.inputs.includes(name))) constants.delete(name);
  return {
    graph: { inputs, outputs, nodes },
    lossOutput: lossMean,
    perExampleLossOutput: perExample,
    gradOutputs,
    predictionOutputs,
    constants,
    dropout: mode.dropout,
    batchNorm: mode.batchNorm,
  };
}

/**
 * A loss-graph node's attributes checked and defaulted (the loader checks the forward graph's).
 * @param {GraphNode} node
 */
function checkedAttrs(node) {
  if (!OPSET.ops[node.op]) {
    throw new WebgradError(
      'EUNKNOWN_OP',
      `training.lossGraph: node '${node.name}' has op '${node.op}', not in the op set`,
    );
  }
  return normalizeAttrs(node.op, node.attrs ?? {});
}

/** @param {readonly Dim[]} a @param {readonly Dim[]} b */
function sameDims(a, b) {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Shapes of every tensor (null for dims unknown before a run), from the shape rules.
 * @param {readonly TensorSpec[]} inputs
 * @param {readonly GraphNode[]} nodes
 * @param {ReadonlyMap<string, {shape: readonly number[], dtype: string}>} weights
 * @returns {Map<string, Dim[]>}
 */
function staticShapes(inputs, nodes, weights) {
  /** @type {Map<string, {shape: Dim[], dtype: string}>} */
  const known = new Map();
  for (const s of inputs) known.set(s.name, { shape: [...s.shape], dtype: s.dtype });
  for (const [name, w] of weights) known.set(name, { shape: [...w.shape], dtype: w.dtype });
  for (const node of nodes) {
    const ins = node.inputs.map((name) => {
      if (!name) return null;
      const v = known.get(name);
      if (!v)
        throw new WebgradError(
          'EGRAPH',
          `training graph: node '${node.name}' reads '${name}', which is not defined before it`,
        );
      return v;
    });
    let out;
    try {
      out = inferNode(
        node.op,
        ins.map((v) => (v ? v.shape : null)),
        ins.map((v) => (v ? v.dtype : null)),
        node.attrs,
      );
    } catch (e) {
      const err = /** @type {WebgradError} */ (e);
      throw new WebgradError(err.code ?? 'ESHAPE', `training graph: node '${node.name}' (${node.op}): ${err.message}`, {
        cause: e,
      });
    }
    known.set(node.outputs[0], { shape: out.shape, dtype: out.dtype });
  }
  return new Map([...known].map(([k, v]) => [k, v.shape]));
}

/**
 * Tensors whose value depends on a trainable weight through differentiable inputs (the weights included).
 * @param {readonly GraphNode[]} nodes
 * @param {ReadonlySet<string>} trainable
 */
function tensorsNeedingGrad(nodes, trainable) {
  const out = new Set(trainable);
  for (const node of nodes) {
    const spec = OPSET.ops[node.op];
    if (spec.differentiable === false) continue;
    const reached = node.inputs.some((name, k) => {
      const slot = spec.inputs[Math.min(k, spec.inputs.length - 1)];
      return Boolean(name) && slot.differentiable !== false && out.has(name);
    });
    if (reached) out.add(node.outputs[0]);
  }
  return out;
}

/**
 * The nodes the outputs need, in their order.
 * @param {readonly GraphNode[]} nodes topologically ordered
 * @param {readonly string[]} outputs
 */
function prune(nodes, outputs) {
  const wanted = new Set(outputs);
  const keep = new Array(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (!nodes[i].outputs.some((o) => wanted.has(o))) continue;
    keep[i] = true;
    for (const name of nodes[i].inputs) if (name) wanted.add(name);
  }
  return nodes.filter((_, i) => keep[i]);
}

/**
 * The graph of a bundle, checked before use: unique node names, ops known in the op set and their
 * attributes valid (defaults filled in), every tensor defined before use (topological order, no
 * cycle), shapes inferred through the graph with the dynamic dims unknown and compared with the
 * signature, and the self-test's tensors against the signature. Mirrors exporter/bundle_reader.py. Every pass is linear in the graph's size (sets and
 * maps, no searches through node lists, no recursion), so 100,000-node graphs load.
 * @module
 */

import { WebgradError } from '../errors.js';
import { inferNode } from '../shape_rules.js';
import { compatible, fmt } from '../shapes.js';
import { checkedAttrs } from './attrs.js';
import { decodeEncoded } from './encoded.js';

/** @typedef {import('./manifest.js').Manifest} Manifest */
/** @typedef {import('../executor.js').Graph} Graph */
/** @typedef {import('../backends/interface.js').View} View */
/** @typedef {import('../backends/interface.js').GraphNode} GraphNode */
/** @typedef {import('../shapes.js').Dim} Dim */

/**
 * Builds and checks the graph; `weights` are the loaded (float32/int32) weights.
 * @param {Manifest} m
 * @param {Map<string, View>} weights
 * @param {string} where
 * @returns {Graph}
 */
export function buildGraph(m, weights, where) {
  const names = new Set();
  /** @type {GraphNode[]} */
  const nodes = m.graph.nodes.map((n) => {
    if (names.has(n.name)) throw new WebgradError('EGRAPH', `${where}: two nodes are named '${n.name}'`);
    names.add(n.name);
    const attrs = checkedAttrs(n, where, undefined, m.opsetVersion);
    return Object.freeze({ name: n.name, op: n.op, inputs: [...n.inputs], outputs: [...n.outputs], attrs });
  });
  const graph = { inputs: m.signature.inputs, outputs: m.signature.outputs, nodes };
  checkOrder(graph, weights, where);
  checkShapes(graph, weights, where);
  checkSelftest(m, where);
  return graph;
}

/**
 * Every tensor defined exactly once, before use.
 * @param {Graph} graph @param {Map<string, View>} weights @param {string} where
 */
function checkOrder(graph, weights, where) {
  const defined = new Set([...graph.inputs.map((s) => s.name), ...weights.keys()]);
  if (defined.size !== graph.inputs.length + weights.size) {
    throw new WebgradError(
      'EGRAPH',
      `${where}: graph: a graph input has the same name as a weight (or two inputs share a name)`,
    );
  }
  /** @type {Map<string, string>} */
  const later = new Map();
  for (const n of graph.nodes) for (const o of n.outputs) later.set(o, n.name);
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      if (!i || defined.has(i)) continue;
      if (later.has(i)) {
        throw new WebgradError(
          'EGRAPH',
          `${where}: graph: node '${n.name}' reads '${i}' before node '${later.get(i)}' makes it (a cycle, or nodes out of topological order)`,
        );
      }
      throw new WebgradError('EGRAPH', `${where}: graph: node '${n.name}' (${n.op}) reads undefined tensor '${i}'`);
    }
    for (const o of n.outputs) {
      if (defined.has(o)) throw new WebgradError('EGRAPH', `${where}: graph: node '${n.name}' redefines tensor '${o}'`);
      defined.add(o);
    }
  }
  for (const o of graph.outputs) {
    if (!defined.has(o.name))
      throw new WebgradError('EGRAPH', `${where}: graph: graph output '${o.name}' is not made by any node`);
  }
}

/**
 * Shape inference with unknown dynamic dims; the outputs must match the signature.
 * @param {Graph} graph @param {Map<string, View>} weights @param {string} where
 */
function checkShapes(graph, weights, where) {
  /** @type {Map<string, {shape: readonly Dim[], dtype: string}>} */
  const values = new Map();
  for (const s of graph.inputs) values.set(s.name, { shape: s.shape, dtype: s.dtype });
  for (const [name, w] of weights) values.set(name, { shape: w.shape, dtype: w.dtype });
  for (const n of graph.nodes) {
    const args = n.inputs.map((i) =>
      i ? /** @type {{shape: readonly Dim[], dtype: string}} */ (values.get(i)) : null,
    );
    while (args.length && args[args.length - 1] === null) args.pop();
    try {
      values.set(
        n.outputs[0],
        inferNode(
          n.op,
          args.map((a) => a && a.shape),
          args.map((a) => a && a.dtype),
          n.attrs,
        ),
      );
    } catch (e) {
      const err = /** @type {WebgradError} */ (e);
      throw new WebgradError(err.code ?? 'ESHAPE', `${where}: node '${n.name}' (${n.op}): ${err.message}`, {
        cause: e,
      });
    }
  }
  for (const spec of graph.outputs) {
    const got = /** @type {{shape: readonly Dim[], dtype: string}} */ (values.get(spec.name));
    if (got.dtype !== spec.dtype || !compatible(spec.shape, got.shape)) {
      throw new WebgradError(
        'ESHAPE',
        `${where}: signature output '${spec.name}' is declared ${spec.dtype} ${fmt(spec.shape)}, but the graph makes ${got.dtype} ${fmt(got.shape)}`,
      );
    }
  }
}

/**
 * The self-test's tensors follow the signature (names, dtypes, shapes, data sizes).
 * @param {Manifest} m @param {string} where
 */
function checkSelftest(m, where) {
  for (const which of /** @type {const} */ (['inputs', 'outputs'])) {
    const tests = m.selftest[which];
    const specs = m.signature[which];
    const got = tests.map((t) => t.name);
    const want = specs.map((s) => s.name);
    if (got.length !== want.length || got.some((name, i) => name !== want[i])) {
      throw new WebgradError(
        'ESCHEMA',
        `${where}: selftest ${which} ${JSON.stringify(got)} do not match the signature's ${JSON.stringify(want)}`,
      );
    }
    tests.forEach((t, i) => {
      const what = `${where}: selftest ${which.slice(0, -1)} '${t.name}'`;
      if (t.dtype !== specs[i].dtype || !compatible(specs[i].shape, t.shape)) {
        throw new WebgradError(
          'ESCHEMA',
          `${what} is ${t.dtype} [${t.shape.join(', ')}]; the signature says ${specs[i].dtype} ${fmt(specs[i].shape)}`,
        );
      }
      decodeEncoded(t, what);
    });
  }
}

/**
 * The `training` section of a trainable bundle (formatVersion 2), checked as part of model.json's
 * structure (loader/manifest.js): the optimizer and its hyper-parameters, the trainable weights and
 * their slots, the labels and the loss graph's nodes (the loss graph as a graph is checked by
 * train/check_loss_graph.js).
 * @module
 */

import { WebgradError } from '../errors.js';
import { kind, own } from './json_values.js';
import { Checker } from './manifest.js';

/** @typedef {import('./manifest.js').Manifest} Manifest */
/** @typedef {import('./manifest.js').TensorJson} TensorJson */

/** Optimizers a trainable bundle may name, with the hyper-parameters each takes. */
const OPTIMIZER_KEYS = {
  sgd: ['name', 'learning_rate', 'momentum', 'nesterov'],
  adam: ['name', 'learning_rate', 'beta_1', 'beta_2', 'epsilon'],
};

/**
 * `checkTraining` of a manifest that `checkStructure` accepted and that has a `training` section: the
 * loader imports this module only then (right after `checkStructure`, so the check order is unchanged).
 * @param {Manifest} m
 * @param {string} where
 */
export function checkTrainingSection(m, where) {
  checkTraining(new Checker(where), m.training, m.weights.tensors);
}

/**
 * The `training` section of a trainable bundle (formatVersion 2): its structure (ESCHEMA naming the
 * field), and that the weights it names exist and are float32 (EGRAPH naming the field and tensor).
 * The loss graph's nodes are checked as graph nodes here and as a graph by the training-graph builder.
 * @param {Checker} c
 * @param {unknown} v
 * @param {TensorJson[]} tensors the weight table
 */
export function checkTraining(c, v, tensors) {
  const path = '$.training';
  const t = c.object(
    v,
    path,
    ['trainable', 'labels', 'lossGraph', 'loss', 'optimizer', 'state'],
    ['trainable', 'labels', 'lossGraph', 'loss', 'optimizer', 'state', 'dropout', 'batchNorm'],
  );
  const dtypes = new Map(tensors.map((x) => [x.name, x.dtype]));
  const shapes = new Map(tensors.map((x) => [x.name, x.shape]));
  /** @param {string} p @param {string} name */
  const float32Weight = (p, name) => {
    const dtype = dtypes.get(name);
    if (dtype === undefined)
      throw new WebgradError('EGRAPH', `${c.where}: ${p} names '${name}', which is not a tensor of $.weights.tensors`);
    if (dtype !== 'float32')
      throw new WebgradError(
        'EGRAPH',
        `${c.where}: ${p} names '${name}', a ${dtype} tensor; trainable weights are float32`,
      );
  };
  const trainable = c.array(t.trainable, `${path}.trainable`, '');
  trainable.forEach((name, i) => {
    c.string(name, `${path}.trainable[${i}]`, '');
    float32Weight(`${path}.trainable[${i}]`, /** @type {string} */ (name));
  });
  if (new Set(trainable).size !== trainable.length) c.fail(`${path}.trainable`, '', 'a weight is listed twice');

  const labels = c.object(
    t.labels,
    `${path}.labels`,
    ['name', 'encoding', 'shape'],
    ['name', 'encoding', 'shape', 'classes'],
  );
  c.string(labels.name, `${path}.labels.name`, '');
  if (labels.encoding !== 'onehot' && labels.encoding !== 'dense')
    c.fail(`${path}.labels.encoding`, '', `expected 'onehot' or 'dense', got ${JSON.stringify(labels.encoding)}`);
  c.shape(labels.shape, `${path}.labels.shape`, labels.name, true);
  if (labels.encoding === 'onehot' || own(labels, 'classes'))
    c.integer(labels.classes, `${path}.labels.classes`, '', 1);

  const lg = c.object(t.lossGraph, `${path}.lossGraph`, ['inputs', 'nodes', 'output']);
  const lgInputs = c.array(lg.inputs, `${path}.lossGraph.inputs`, '', 2);
  lgInputs.forEach((x, i) => c.string(x, `${path}.lossGraph.inputs[${i}]`, ''));
  if (!lgInputs.includes(labels.name))
    c.fail(`${path}.lossGraph.inputs`, '', `expected the labels input '${labels.name}' among them`);
  c.array(lg.nodes, `${path}.lossGraph.nodes`, '', 1).forEach((n, i) => c.node(n, `${path}.lossGraph.nodes[${i}]`));
  c.string(lg.output, `${path}.lossGraph.output`, '');

  const loss = c.object(t.loss, `${path}.loss`, ['name'], null);
  c.string(loss.name, `${path}.loss.name`, '');
  if (own(loss, 'from_logits') && typeof loss.from_logits !== 'boolean')
    c.fail(`${path}.loss.from_logits`, '', `expected a boolean, got ${kind(loss.from_logits)}`);

  const opt = c.object(t.optimizer, `${path}.optimizer`, ['name', 'learning_rate'], null);
  const keys = /** @type {Record<string, string[]>} */ (OPTIMIZER_KEYS)[opt.name];
  if (!own(OPTIMIZER_KEYS, opt.name) || !keys)
    c.fail(
      `${path}.optimizer.name`,
      '',
      `expected one of ${Object.keys(OPTIMIZER_KEYS).join(', ')}, got ${JSON.stringify(opt.name)}`,
    );
  c.object(opt, `${path}.optimizer`, ['name', 'learning_rate'], keys);
  for (const key of keys.slice(1)) {
    if (!own(opt, key)) continue;
    const x = opt[key];
    if (key === 'nesterov' ? typeof x !== 'boolean' : typeof x !== 'number' || !(x >= 0))
      c.fail(
        `${path}.optimizer.${key}`,
        '',
        `expected ${key === 'nesterov' ? 'a boolean' : 'a number >= 0'}, got ${JSON.stringify(x)}`,
      );
  }
  if (!(opt.learning_rate > 0))
    c.fail(`${path}.optimizer.learning_rate`, '', `expected a number > 0, got ${opt.learning_rate}`);
  for (const key of ['momentum', 'beta_1', 'beta_2']) {
    if (own(opt, key) && !(opt[key] < 1))
      c.fail(`${path}.optimizer.${key}`, '', `expected a number in [0, 1), got ${opt[key]}`);
  }

  checkTrainingMode(c, t, path);

  const state = c.object(t.state, `${path}.state`, ['iterations', 'slots']);
  c.integer(state.iterations, `${path}.state.iterations`, '');
  const slots = c.object(state.slots, `${path}.state.slots`, [], null);
  const isTrainable = new Set(trainable);
  for (const [weight, s] of Object.entries(slots)) {
    const p = `${path}.state.slots[${JSON.stringify(weight)}]`;
    if (!isTrainable.has(weight)) c.fail(p, weight, 'slots of a weight that is not in training.trainable');
    for (const [slot, tensor] of Object.entries(c.object(s, p, [], null))) {
      c.string(tensor, `${p}.${slot}`, weight);
      float32Weight(`${p}.${slot}`, /** @type {string} */ (tensor));
      const a = shapes.get(tensor);
      const b = shapes.get(weight);
      if (JSON.stringify(a) !== JSON.stringify(b))
        throw new WebgradError(
          'EGRAPH',
          `${c.where}: ${p}.${slot}: slot tensor '${tensor}' has shape ${JSON.stringify(a)}, its weight '${weight}' ${JSON.stringify(b)}`,
        );
    }
  }
}

/**
 * `training.dropout` (`[{tensor, rate}]`, rate in [0, 1)) and `training.batchNorm` (`[{node, momentum}]`,
 * momentum in [0, 1]): their structure (the names are checked against the graph when it is built).
 * @param {Checker} c @param {Record<string, any>} t @param {string} path
 */
function checkTrainingMode(c, t, path) {
  if (own(t, 'dropout'))
    c.array(t.dropout, `${path}.dropout`, '').forEach((d, i) => {
      const p = `${path}.dropout[${i}]`;
      const o = c.object(d, p, ['tensor', 'rate']);
      c.string(o.tensor, `${p}.tensor`, '');
      if (typeof o.rate !== 'number' || !(o.rate >= 0 && o.rate < 1))
        c.fail(`${p}.rate`, o.tensor, `expected a number in [0, 1), got ${JSON.stringify(o.rate)}`);
    });
  if (own(t, 'batchNorm'))
    c.array(t.batchNorm, `${path}.batchNorm`, '').forEach((b, i) => {
      const p = `${path}.batchNorm[${i}]`;
      const o = c.object(b, p, ['node', 'momentum']);
      c.string(o.node, `${p}.node`, '');
      if (typeof o.momentum !== 'number' || !(o.momentum >= 0 && o.momentum <= 1))
        c.fail(`${p}.momentum`, o.node, `expected a number in [0, 1], got ${JSON.stringify(o.momentum)}`);
    });
}

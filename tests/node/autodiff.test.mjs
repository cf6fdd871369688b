// The runtime's autodiff (js_runtime/src/train/autodiff.js and train/vjp/): (a) every op's VJP rule
// against a central finite difference of the loss computed through the executor; (b) whole graphs
// (MLP, CNN, residual block with BatchNorm, softmax/log-softmax cross-entropy) against Python's
// webgrad.autodiff (tests/node/make_grad_fixtures.py); (c) 100 training runs allocate nothing new.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from './_helpers.mjs';
import { GRAPHS, OP_CASES, trainableOf } from './_train_graphs.mjs';
import { buildTrainingGraph } from '../../js_runtime/src/train/autodiff.js';
import { VJP_RULES } from '../../js_runtime/src/train/vjp/index.js';
import { Executor } from '../../js_runtime/src/executor.js';
import { TRAINING_PLAN_RULES } from '../../js_runtime/src/grad_shape_rules.js';
import { OPSET } from '../../js_runtime/src/opset.js';
import { jsBackend } from '../../js_runtime/src/backends/js/index.js';
import { wasmBackend } from '../../js_runtime/src/backends/wasm/index.js';
import { liveResources } from '../../js_runtime/src/resources.js';
import { tensor } from '../../js_runtime/src/index.js';
import { normalizeAttrs } from '../../js_runtime/src/loader/attrs.js';

/** A graph with its nodes' attributes defaulted, as the loader gives it. */
const normalized = (g) => ({ ...g, nodes: g.nodes.map((n) => ({ ...n, attrs: normalizeAttrs(n.op, n.attrs) })) });

const js = await jsBackend.create();

/** A seeded uniform generator in [0, 1). */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Random values of a case operand: away from kinks, and distinct by more than the FD step where asked. */
function values(spec, rand) {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.values?.startsWith('int:')) {
    const hi = Number(spec.values.slice(4));
    return Int32Array.from({ length: n }, () => Math.floor(rand() * hi));
  }
  if (spec.values === 'mask') return Float32Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1));
  if (spec.values === 'spaced') {
    const order = Array.from({ length: n }, (_, i) => i).sort(() => rand() - 0.5);
    return Float32Array.from(order, (k) => (k - n / 2 + 0.5) * 0.1);
  }
  return Float32Array.from({ length: n }, () => {
    const side = rand() < 0.5 ? -1 : 1;
    if (spec.values === 'positive') return 0.5 + rand();
    if (spec.values === 'wide') return side * (0.1 + rand() * 7);
    return side * (0.1 + rand() * 0.9); // |x| >= 0.1: no kink within the FD step
  });
}

/** The training graph of one op: its operands are weights; loss = sum(op(...) * labels) per example. */
function opCase(c, index) {
  const rand = rng(1000 + index);
  const names = c.operands.map((_, k) => `in${k}`);
  const weights = new Map(
    c.operands.map((spec, k) => [
      names[k],
      { data: values(spec, rand), shape: spec.shape, dtype: spec.dtype ?? 'float32' },
    ]),
  );
  const forward = {
    inputs: [],
    outputs: [{ name: 'y', dtype: 'float32', shape: [] }],
    nodes: [{ name: 'y', op: c.op, inputs: names, outputs: ['y'], attrs: normalizeAttrs(c.op, c.attrs ?? {}) }],
  };
  return { forward, weights, names };
}

/** Output shape of the op (from a plan of the forward node alone). */
function outShape(forward, weights) {
  const ex = new Executor({ ...forward, outputs: [{ name: 'y', dtype: 'float32', shape: [] }] }, weights, js);
  return ex.plan([]).values.find((v) => v.name === 'y').shape;
}

function lossGraphFor(rank) {
  const axes = Array.from({ length: rank - 1 }, (_, i) => i + 1);
  return {
    inputs: ['y', 'labels'],
    nodes: [
      { name: 'l/mul', op: 'Mul', inputs: ['y', 'labels'], outputs: ['l/mul'], attrs: {} },
      ...(axes.length
        ? [{ name: 'l/sum', op: 'ReduceSum', inputs: ['l/mul'], outputs: ['l/sum'], attrs: { axes } }]
        : []),
    ],
    output: axes.length ? 'l/sum' : 'l/mul',
  };
}

test('every differentiable op of the op set has a VJP rule, and no other op has one', () => {
  for (const [op, spec] of Object.entries(OPSET.ops)) {
    assert.equal(op in VJP_RULES, spec.differentiable !== false, `${op}: rule present iff differentiable`);
  }
});

OP_CASES.forEach((c, index) => {
  const label = `${c.op}${c.attrs ? ` ${JSON.stringify(c.attrs)}` : ''} [${c.operands.map((o) => o.shape.join('x')).join(', ')}]`;
  test(`VJP ${label} equals a central finite difference`, () => {
    const { forward, weights, names } = opCase(c, index);
    const shape = outShape(forward, weights);
    const trainable = names.filter((_, k) => c.operands[k].trainable !== false && c.operands[k].dtype !== 'int32');
    const training = { trainable, labels: { name: 'labels', shape }, lossGraph: lossGraphFor(shape.length) };
    const t = buildTrainingGraph(forward, training, weights);
    const ex = new Executor(t.graph, new Map([...weights, ...t.constants]), js, TRAINING_PLAN_RULES);
    const rand = rng(77 + index);
    const labels = tensor(values({ shape }, rand), shape);
    const outs = ex.run([labels]);
    const lossAt = t.graph.outputs.findIndex((s) => s.name === t.lossOutput);
    const loss = () => ex.run([labels])[lossAt].dataSync()[0];
    for (const w of trainable) {
      const got = outs[t.graph.outputs.findIndex((s) => s.name === t.gradOutputs.get(w))].dataSync();
      const data = weights.get(w).data;
      assert.equal(got.length, data.length, `${w}: gradient size`);
      const eps = 1e-2;
      for (let i = 0; i < data.length; i++) {
        const keep = data[i];
        data[i] = keep + eps;
        const up = loss();
        data[i] = keep - eps;
        const down = loss();
        data[i] = keep;
        const fd = (up - down) / (2 * eps);
        assert.ok(
          Math.abs(got[i] - fd) <= 3e-3 + 2e-2 * Math.abs(fd),
          `${label}: d loss / d ${w}[${i}] = ${got[i]}, finite difference ${fd}`,
        );
      }
    }
  });
});

/** The Python fixtures, generated once per content of the graphs, the script and the Python sources. */
function gradFixtures() {
  const graphsJson = JSON.stringify(GRAPHS);
  const h = createHash('sha256').update(graphsJson);
  h.update(readFileSync(join(ROOT, 'tests', 'node', 'make_grad_fixtures.py')));
  for (const f of ['autodiff.py', 'losses.py']) h.update(readFileSync(join(ROOT, 'authoring', f)));
  const dir = join(tmpdir(), `webgrad-grad-fixtures-${h.digest('hex').slice(0, 16)}`);
  if (!existsSync(join(dir, 'grads.json'))) {
    const work = `${dir}.tmp-${process.pid}`;
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'graphs.json'), graphsJson);
    const python = process.env.PYTHON || 'python3';
    const script = join(ROOT, 'tests', 'node', 'make_grad_fixtures.py');
    const r = spawnSync(python, [script, join(work, 'graphs.json'), work], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`make_grad_fixtures.py failed: ${r.error ?? ''}${r.stderr}`);
    try {
      renameSync(work, dir);
    } catch {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return JSON.parse(readFileSync(join(dir, 'grads.json'), 'utf8'));
}

/** The training graph, weights and feeds of whole graph `name` with Python's values. */
function wholeGraph(name, fx) {
  const g = GRAPHS[name];
  const weights = new Map(
    Object.entries(g.weights).map(([w, spec]) => [
      w,
      { data: Float32Array.from(fx.weights[w]), shape: spec.shape, dtype: 'float32' },
    ]),
  );
  const training = {
    trainable: trainableOf(g),
    labels: { name: 'labels', shape: [null, g.classes] },
    lossGraph: g.loss,
  };
  const t = buildTrainingGraph(normalized(g), training, weights);
  const feeds = [
    ...g.inputs.map((s) => tensor(Float32Array.from(fx.inputs[s.name]), [g.batch, ...s.shape.slice(1)])),
    tensor(Float32Array.from(fx.labels), [g.batch, g.classes]),
  ];
  return { g, t, weights, feeds };
}

function assertClose(got, want, what) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(
      Math.abs(got[i] - want[i]) <= 1e-4 * Math.max(1, Math.abs(want[i])),
      `${what}[${i}]: got ${got[i]}, Python ${want[i]}`,
    );
  }
}

const backends = [['js', js]];
try {
  backends.push(['wasm', await wasmBackend.create()]);
} catch (e) {
  console.log(`# wasm backend unavailable: ${e.message}`);
}

for (const name of Object.keys(GRAPHS)) {
  for (const [bname, backend] of backends) {
    test(`${name} on ${bname}: loss and gradients equal Python's webgrad.autodiff within 1e-4`, (ctx) => {
      const fx = gradFixtures()[name];
      const { t, weights, feeds } = wholeGraph(name, fx);
      const missing = [...new Set(t.graph.nodes.map((n) => n.op))].filter((op) => !backend.kernels[op]);
      if (missing.length && !['Reshape', 'Flatten', 'ReshapeLike'].includes(missing[0])) {
        const real = missing.filter((op) => !['Reshape', 'Flatten', 'ReshapeLike'].includes(op));
        if (real.length) return ctx.skip(`${bname} has no kernel for ${real.join(', ')} yet`);
      }
      const all = new Map([...weights, ...t.constants]);
      const ex = new Executor(
        t.graph,
        backend.prepareWeights(all, t.graph.nodes, { plain: t.gradOutputs.keys() }),
        backend,
        TRAINING_PLAN_RULES,
      );
      const outs = ex.run(feeds);
      const at = (tensorName) => outs[t.graph.outputs.findIndex((s) => s.name === tensorName)].dataSync();
      assertClose(at(t.lossOutput), [fx.loss], `${name} loss`);
      for (const p of t.predictionOutputs) assertClose(at(p), fx.predictions[p], `${name} ${p}`);
      for (const [w, g] of t.gradOutputs) assertClose(at(g), fx.grads[w], `${name} d/d${w}`);
      ex.dispose();
    });
  }
}

test('the training graph prunes what the trainable weights do not need, names gradients readably', () => {
  const g = GRAPHS.mlp;
  const weights = new Map(
    Object.entries(g.weights).map(([w, s]) => [
      w,
      { data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)), shape: s.shape, dtype: 'float32' },
    ]),
  );
  const t = buildTrainingGraph(
    normalized(g),
    { trainable: ['w3'], labels: { name: 'labels', shape: [null, 4] }, lossGraph: g.loss },
    weights,
  );
  assert.deepEqual([...t.gradOutputs.keys()], ['w3']);
  // only the last layer is differentiated: no gradient node for the first two MatMuls
  assert.ok(!t.graph.nodes.some((n) => n.name.startsWith('grad/h1/') || n.name.startsWith('grad/h2/')));
  assert.ok(t.graph.nodes.every((n) => !n.name.startsWith('grad/') || /^grad\/[\w/]+/.test(n.name)));
  assert.deepEqual(t.predictionOutputs, ['probs']);
});

test('Concat along an axis of run-time size is refused with a clear error', () => {
  const graph = {
    inputs: [{ name: 'x', dtype: 'float32', shape: [null, 2] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [null, 2] }],
    nodes: [{ name: 'y', op: 'Concat', inputs: ['x', 'w'], outputs: ['y'], attrs: { axis: 0 } }],
  };
  const weights = new Map([['w', { data: new Float32Array(2), shape: [1, 2], dtype: 'float32' }]]);
  const loss = lossGraphFor(2);
  assert.throws(
    () =>
      buildTrainingGraph(
        normalized(graph),
        { trainable: ['w'], labels: { name: 'labels', shape: [null, 2] }, lossGraph: loss },
        weights,
      ),
    (e) => e.code === 'ESHAPE' && /Concat/.test(e.message) && /run time/.test(e.message),
  );
});

test('100 training runs of one batch shape: one plan, the arena and live resources unchanged', () => {
  const fx = gradFixtures().cnn;
  const { t, weights, feeds } = wholeGraph('cnn', fx);
  const ex = new Executor(t.graph, new Map([...weights, ...t.constants]), js, TRAINING_PLAN_RULES);
  ex.runViews(feeds);
  const arena = ex.arenaBytes;
  const live = JSON.stringify(liveResources());
  for (let i = 0; i < 100; i++) ex.runViews(feeds);
  assert.equal(ex.planCount, 1);
  assert.equal(ex.arenaBytes, arena);
  assert.equal(JSON.stringify(liveResources()), live);
  ex.dispose();
});

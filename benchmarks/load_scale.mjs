// How planning scales with the graph: the time to plan a Concat of N inputs (all dying at one step, the
// case that made the old planner quadratic) and an N-node chain, for growing N. n log n shows as a time
// per value that stays about flat as N grows ten-fold. Last, a whole loadModel (schema, graph, shape
// checks, plan, self-test) of an in-memory bundle whose graph is an N-node chain.
//
//   node benchmarks/load_scale.mjs [--max 100000]

import { Executor } from '../js_runtime/src/executor.js';
import { jsBackend } from '../js_runtime/src/backends/js/index.js';
import { loadModel } from '../js_runtime/src/index.js';
import { syntheticBundle } from '../tests/node/_synthetic.mjs';

const at = process.argv.indexOf('--max');
const max = at > 0 ? Number(process.argv[at + 1]) : 100_000;
const backend = await jsBackend.create();

/** A Concat of `n` [1, 1..5] inputs. */
function concat(n) {
  const inputs = Array.from({ length: n }, (_, i) => ({ name: `x${i}`, dtype: 'float32', shape: [1, 1 + (i % 5)] }));
  const width = inputs.reduce((w, s) => w + s.shape[1], 0);
  const graph = {
    inputs,
    outputs: [{ name: 'y', dtype: 'float32', shape: [1, width] }],
    nodes: [{ name: 'cat', op: 'Concat', inputs: inputs.map((s) => s.name), outputs: ['y'], attrs: { axis: 1 } }],
  };
  return { graph, shapes: inputs.map((s) => s.shape) };
}

/** A chain of `n` Relu nodes on a [1, 4] input. */
function chain(n) {
  const nodes = Array.from({ length: n }, (_, i) => ({ name: `r${i}`, op: 'Relu', inputs: [i ? `h${i - 1}` : 'x'], outputs: [`h${i}`], attrs: {} }));
  const graph = { inputs: [{ name: 'x', dtype: 'float32', shape: [null, 4] }], outputs: [{ name: `h${n - 1}`, dtype: 'float32', shape: [null, 4] }], nodes };
  return { graph, shapes: [[1, 4]] };
}

console.log(`node ${process.version}; plan = shape rules + liveness + arena placement (src/executor.js, src/arena.js)`);
for (const [name, make] of [['Concat of N inputs', concat], ['chain of N nodes', chain]]) {
  for (let n = 1000; n <= max; n *= 10) {
    const { graph, shapes } = make(n);
    const t0 = performance.now();
    new Executor(graph, new Map(), backend).plan(shapes);
    const ms = performance.now() - t0;
    console.log(`${name.padEnd(20)} N=${String(n).padStart(7)}  plan ${ms.toFixed(1).padStart(8)} ms  ${((ms * 1000) / n).toFixed(2)} us/value`);
  }
}

for (let n = 1000; n <= max; n *= 10) {
  const nodes = Array.from({ length: n }, (_, i) => ({ name: `r${i}`, op: i ? 'Relu' : 'Mul', inputs: i ? [`h${i - 1}`] : ['x', 'one'], outputs: [`h${i}`], attrs: {} }));
  const out = `h${n - 1}`;
  const bundle = syntheticBundle({
    inputs: [{ name: 'x', dtype: 'float32', shape: [null, 4] }],
    outputs: [{ name: out, dtype: 'float32', shape: [null, 4] }],
    nodes,
    weights: { one: { data: new Float32Array([1]), shape: [1] } },
    selftest: { inputs: [{ name: 'x', shape: [1, 4], data: new Float32Array([1, -1, 2, -2]) }], outputs: [{ name: out, shape: [1, 4], data: new Float32Array([1, 0, 2, 0]) }] },
  });
  const t0 = performance.now();
  const model = await loadModel(bundle, { backend: 'js' });
  const ms = performance.now() - t0;
  model.dispose();
  console.log(`${'loadModel, chain'.padEnd(20)} N=${String(n).padStart(7)}  load ${ms.toFixed(1).padStart(8)} ms  ${((ms * 1000) / n).toFixed(2)} us/node`);
}

// How planning scales with the graph: the time to plan a Concat of N inputs (all dying at one step, the
// case that made the old planner quadratic) and an N-node chain, for growing N. n log n shows as a time
// per value that stays about flat as N grows ten-fold. Last, the whole loadModel of an N-node chain
// bundle, with its validation passes timed apart.
//
//   node benchmarks/load_scale.mjs [--max 100000]

import { Executor } from '../js_runtime/src/executor.js';
import { jsBackend } from '../js_runtime/src/backends/js/index.js';
import { loadModel } from '../js_runtime/src/index.js';
import { chainBundle } from '../tests/node/_chain_bundle.mjs';
import { checkStructure, checkVersions, parseManifest } from '../js_runtime/src/loader/manifest.js';
import { buildGraph } from '../js_runtime/src/loader/graph.js';

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
  const nodes = Array.from({ length: n }, (_, i) => ({
    name: `r${i}`,
    op: 'Relu',
    inputs: [i ? `h${i - 1}` : 'x'],
    outputs: [`h${i}`],
    attrs: {},
  }));
  const graph = {
    inputs: [{ name: 'x', dtype: 'float32', shape: [null, 4] }],
    outputs: [{ name: `h${n - 1}`, dtype: 'float32', shape: [null, 4] }],
    nodes,
  };
  return { graph, shapes: [[1, 4]] };
}

console.log(`node ${process.version}; plan = shape rules + liveness + arena placement (src/executor.js, src/arena.js)`);
for (const [name, make] of [
  ['Concat of N inputs', concat],
  ['chain of N nodes', chain],
]) {
  for (let n = 1000; n <= max; n *= 10) {
    const { graph, shapes } = make(n);
    const t0 = performance.now();
    new Executor(graph, new Map(), backend).plan(shapes);
    const ms = performance.now() - t0;
    console.log(
      `${name.padEnd(20)} N=${String(n).padStart(7)}  plan ${ms.toFixed(1).padStart(8)} ms  ${((ms * 1000) / n).toFixed(2)} us/value`,
    );
  }
}

// The whole load of an N-node chain bundle, with the validation passes (model.json parse and structure
// check; graph build: ops, attributes, order, shape inference) timed apart from it (the rest of the load
// is the backend, the arena plan, the executor and the self-test). Best of 2.
console.log('loadModel of an N-node chain: parse+schema, buildGraph, whole load on js and wasm (ms, best of 2)');
for (let n = 1000; n <= max; n *= 10) {
  const bundle = chainBundle(n);
  const bytes = new TextEncoder().encode(bundle['model.json']);
  const best = [Infinity, Infinity, Infinity, Infinity];
  for (let round = 0; round < 2; round++) {
    let t0 = performance.now();
    const raw = parseManifest(bytes, 'model.json');
    checkVersions(raw, 'model.json');
    const m = checkStructure(raw, 'model.json');
    const times = [performance.now() - t0];
    t0 = performance.now();
    buildGraph(m, new Map(), 'model.json');
    times.push(performance.now() - t0);
    for (const name of ['js', 'wasm']) {
      t0 = performance.now();
      const model = await loadModel(bundle, { backend: name });
      times.push(performance.now() - t0);
      model.dispose();
    }
    times.forEach((t, i) => {
      best[i] = Math.min(best[i], t);
    });
  }
  console.log(`chain N=${String(n).padStart(7)}  ${best.map((t) => t.toFixed(1).padStart(9)).join('  ')}`);
}

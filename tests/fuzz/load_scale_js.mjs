// How the JS load time grows with the graph: a chain of n element-wise nodes (n up to 100,000), loaded
// with loadModel on js and wasm, with the time of the validation passes (model.json parse and structure
// check, graph build: ops, attributes, order, shape inference) printed apart from the whole load (which
// adds the backend, the arena plan, the executor and the self-test). Prints numbers; asserts nothing.
//
//   node tests/fuzz/load_scale_js.mjs [n ...]      (default: 1000 10000 100000)

import { chainBundle } from '../node/_chain_bundle.mjs';
import { loadModel } from '../../js_runtime/src/index.js';
import { checkStructure, checkVersions, parseManifest } from '../../js_runtime/src/loader/manifest.js';
import { buildGraph } from '../../js_runtime/src/loader/graph.js';

const sizes = process.argv.slice(2).map(Number);

console.log('     nodes  parse+schema  buildGraph   load js  load wasm   (ms, best of 2)');
for (const n of sizes.length ? sizes : [1000, 10000, 100000]) {
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
    for (const backend of ['js', 'wasm']) {
      t0 = performance.now();
      const model = await loadModel(bundle, { backend });
      times.push(performance.now() - t0);
      model.dispose();
    }
    times.forEach((t, i) => { best[i] = Math.min(best[i], t); });
  }
  console.log(`${String(n).padStart(10)}  ${best.map((t) => t.toFixed(1).padStart(10)).join('  ')}`);
}

#!/usr/bin/env node
// webgpu (npm `webgpu`: Dawn, on the SwiftShader Vulkan driver Debian's chromium ships, i.e. on the
// CPU) against wasm on the same bundles: the MLP 784-512-256-10 and the MNIST CNN at batch 1 and 32,
// and a 1024 x 1024 x 1024 MatMul in GFLOP/s. A latency is predict + read-back (`await y.data()`),
// median over the runs. Recorded, not a target: SwiftShader is a CPU rasterizer. Never part of the tests.
//
//   node benchmarks/webgpu_vs_wasm.mjs [--runs 20] [--budget-s 4] [--models-dir DIR]
//        [--output benchmarks/results/webgpu_swiftshader.json]
//
// Models are made on first use into --models-dir with `python benchmarks/make_peer_models.py`.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && fs.existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD;

const opts = {
  runs: 20,
  budgetS: 4,
  modelsDir: path.join(os.tmpdir(), 'webgrad-bench-models-webgpu'),
  output: path.join(HERE, 'results', 'webgpu_swiftshader.json'),
};
const keys = { '--runs': 'runs', '--budget-s': 'budgetS', '--models-dir': 'modelsDir', '--output': 'output' };
for (let i = 2; i < process.argv.length; i++) {
  const key = keys[process.argv[i]];
  if (!key) throw new Error(`unknown option ${process.argv[i]} (${Object.keys(keys).join(', ')})`);
  opts[key] = typeof opts[key] === 'number' ? Number(process.argv[++i]) : process.argv[++i];
}

const { loadModel, tensor } = await import(path.join(ROOT, 'js_runtime', 'src', 'index.js'));
const webgpu = await import(path.join(ROOT, 'js_runtime', 'node_modules', 'webgpu', 'index.js'));
Object.assign(globalThis, webgpu.globals);
const gpu = webgpu.create([]);

if (!fs.existsSync(path.join(opts.modelsDir, 'models.json'))) {
  console.error(`making models in ${opts.modelsDir} ...`);
  execFileSync(
    process.env.PYTHON || 'python3',
    [path.join(HERE, 'make_peer_models.py'), opts.modelsDir, '--models', 'mlp,cnn', '--matmul', '1024'],
    { stdio: 'inherit', cwd: ROOT },
  );
}

/** Median and min milliseconds of `fn` (awaited) over `opts.runs` runs or `opts.budgetS` seconds, after warm-up. */
async function time(fn) {
  await fn();
  await fn(); // plans compiled, pipelines made
  const times = [];
  const end = performance.now() + opts.budgetS * 1000;
  while (times.length < opts.runs && (times.length < 3 || performance.now() < end)) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median_ms: times[times.length >> 1], min_ms: times[0], runs: times.length };
}

/** Deterministic input of `shape` in [0, 1). */
function input(shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = ((i * 2654435761) % 1000) / 1000;
  return tensor(x, shape);
}

const cases = [
  ...['mlp', 'cnn'].flatMap((model) => [1, 32].map((batch) => ({ key: `${model}_b${batch}`, model, batch }))),
  { key: 'matmul1024', model: 'matmul1024', batch: 1024 },
];
const results = {};
let adapter = '';
for (const c of cases) {
  const dir = path.join(opts.modelsDir, c.model, 'webgrad');
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).signature.inputs[0];
  const x = input([c.batch, ...spec.shape.slice(1)]);
  const row = {};
  const outputs = {};
  for (const backend of ['wasm', 'webgpu']) {
    const model = await loadModel(dir, { backend, gpu });
    if (backend === 'webgpu') adapter = model.backendReason;
    const run = async () => (outputs[backend] = await (await model.predict(x)).data());
    row[backend] = await time(run);
    model.dispose();
  }
  let diff = 0;
  for (let i = 0; i < outputs.wasm.length; i++) diff = Math.max(diff, Math.abs(outputs.wasm[i] - outputs.webgpu[i]));
  row.max_abs_diff = diff;
  row.ratio = row.webgpu.median_ms / row.wasm.median_ms;
  if (c.model === 'matmul1024')
    for (const b of ['wasm', 'webgpu']) row[b].gflops = (2 * 1024 ** 3) / (row[b].median_ms * 1e6);
  results[c.key] = row;
  console.error(`${c.key}: wasm ${row.wasm.median_ms.toFixed(2)} ms, webgpu ${row.webgpu.median_ms.toFixed(2)} ms`);
}

const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const lines = [
  `webgpu (${adapter.replace(/^requested 'webgpu': /, '')}) vs wasm, Node ${process.version}, ${os.cpus()[0]?.model ?? ''}`,
  '',
  '| figure | wasm | webgpu | webgpu / wasm time | max |webgpu - wasm| |',
  '| --- | --- | --- | --- | --- |',
];
for (const c of cases) {
  const r = results[c.key];
  const label =
    c.model === 'matmul1024'
      ? 'matmul 1024 GFLOP/s'
      : `${c.model === 'mlp' ? 'MLP 784-512-256-10' : 'MNIST CNN'}, batch ${c.batch}`;
  const cell = (b) => (c.model === 'matmul1024' ? r[b].gflops.toFixed(2) : fmt(r[b].median_ms));
  lines.push(
    `| ${label} | ${cell('wasm')} | ${cell('webgpu')} | ${r.ratio.toFixed(2)}x | ${r.max_abs_diff.toExponential(1)} |`,
  );
}
console.log(lines.join('\n'));
fs.mkdirSync(path.dirname(opts.output), { recursive: true });
fs.writeFileSync(
  opts.output,
  `${JSON.stringify(
    {
      what: 'webgpu (Dawn on SwiftShader, a CPU Vulkan driver) vs wasm, predict + read-back, median ms; matmul in GFLOP/s',
      command: 'node benchmarks/webgpu_vs_wasm.mjs',
      date: new Date().toISOString().slice(0, 10),
      node: process.version,
      cpu: os.cpus()[0]?.model ?? '',
      cores: os.cpus().length,
      adapter,
      results,
    },
    null,
    1,
  )}\n`,
);
console.error(`wrote ${path.relative(ROOT, opts.output)}`);

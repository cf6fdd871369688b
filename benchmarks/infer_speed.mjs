#!/usr/bin/env node
// Side-by-side inference speed: webgrad vs ONNX Runtime Web (wasm EP) vs tfjs-core + tfjs-backend-wasm,
// one thread each, the same models with the same weights (benchmarks/make_peer_models.py).
// Never part of the tests. See benchmarks/README.md.
//
//   node benchmarks/infer_speed.mjs [--runs 50] [--models mlp,cnn,mobilenet] [--models-dir DIR]
//        [--batches 1,32] [--matmul 256,512,1024] [--frameworks webgrad,ort,tfjs] [--first-runs 5]
//        [--budget-s 60] [--warmup 10] [--warmup-s 1] [--min-time-s 0.5] [--backend auto|wasm|js] [--rounds 1]
//        [--output benchmarks/results/infer_speed.json]
//
// Peers come from benchmarks/peers (npm ci there). Models are made on first use into --models-dir
// (default: $TMPDIR/webgrad-bench-models) with `python benchmarks/make_peer_models.py`.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { list, parseOptions, quantile } from './_options.mjs';
import { HERE, ROOT, cpuModel, gz, inputData, makeRuntime, maxAbsDiff, peerDir, timeIt, walk } from './_runtimes.mjs';

const T_MODULE_START = performance.now(); // after the (hoisted) imports, as before
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

const TARGETS = {
  matmul1024_gflops: { label: 'matmul 1024 GFLOP/s', op: '>=', value: 40 },
  mobilenet_b1_ms: { label: 'MobileNetV2 batch 1', op: '<=', value: 25, unit: 'ms' },
  cnn_b1_us: { label: 'MNIST CNN batch 1', op: '<=', value: 150, unit: 'µs' },
  mlp_b1_us: { label: 'MLP batch 1', op: '<=', value: 30, unit: 'µs' },
  first_ms: { label: 'import → first inference', op: '<=', value: 30, unit: 'ms' },
  size_kb: { label: 'JS + wasm gzipped', op: '<=', value: 60, unit: 'KB' },
};

// ---------------------------------------------------------------------------------------------- args
function parseArgs(argv) {
  let o = {
    runs: 50,
    warmup: 10,
    warmupS: 1,
    minTimeS: 0.5,
    models: 'mlp,cnn,mobilenet',
    batches: '1,32',
    matmul: '256,512,1024',
    frameworks: 'webgrad,ort,tfjs',
    firstRuns: 5,
    budgetS: 60,
    backend: 'auto',
    rounds: 1,
    modelsDir: path.join(os.tmpdir(), 'webgrad-bench-models'),
    output: path.join(HERE, 'results', 'infer_speed.json'),
    child: null,
    childBench: null,
    python: process.env.PYTHON || 'python3',
  };
  const keys = {
    '--runs': 'runs',
    '--warmup': 'warmup',
    '--models': 'models',
    '--batches': 'batches',
    '--matmul': 'matmul',
    '--frameworks': 'frameworks',
    '--first-runs': 'firstRuns',
    '--budget-s': 'budgetS',
    '--backend': 'backend',
    '--models-dir': 'modelsDir',
    '--output': 'output',
    '--child-first': 'child',
    '--child-bench': 'childBench',
    '--python': 'python',
    '--warmup-s': 'warmupS',
    '--min-time-s': 'minTimeS',
    '--rounds': 'rounds',
  };
  o = parseOptions(argv, o, keys, import.meta.url, 12);
  o.models = list(o.models);
  o.frameworks = list(o.frameworks);
  o.batches = list(o.batches).map(Number);
  o.matmul = list(o.matmul).map(Number);
  return o;
}

// ---------------------------------------------------------------------------------------------- sizes
// What each runtime needs to run these models, as served: the JS gzipped as ONE stream (as a bundler
// would ship it) plus each .wasm gzipped; the sum of individually gzipped files is kept in the JSON too.
// The lists were checked with `strace -f -e trace=openat` on the --child-first runs:
// - webgrad: the files of js_runtime/dist/ that a program running on the wasm backend loads (the entry,
//   the wasm glue's kernel chunk and their static imports: not the js reference kernels nor the WebGPU
//   shaders, which load only when those backends are used; js_runtime/scripts/build-dist.mjs filesFor)
//   and the one .wasm the wasm backend instantiates (webgrad-relaxed.wasm when relaxed SIMD is on);
// - ORT: its Node ESM entry ort.node.min.mjs, the onnxruntime-common ESM files it imports, the emscripten
//   glue ort-wasm-simd-threaded.mjs and ort-wasm-simd-threaded.wasm;
// - tfjs: the minified dist bundles tf-core.min.js and tf-backend-wasm.min.js (Node loads the unminified
//   .node.js builds of the same code) and tfjs-backend-wasm-simd.wasm, the binary it loads here.
async function sizes(mode) {
  const { filesFor } = await import(pathToFileURL(path.join(ROOT, 'js_runtime', 'scripts', 'build-dist.mjs')).href);
  const wgFiles = (await filesFor('wasm')).map((f) => path.join(ROOT, 'js_runtime', 'dist', f));
  const wgWasm = path.join(
    ROOT,
    'js_runtime',
    'wasm',
    mode === 'relaxed-simd' ? 'webgrad-relaxed.wasm' : 'webgrad-simd.wasm',
  );
  const ortDist = path.join(peerDir('onnxruntime-web'), 'dist');
  const ortCommon = path.join(peerDir('onnxruntime-common'), 'dist', 'esm');
  const tfCore = path.join(peerDir('@tensorflow/tfjs-core'), 'dist');
  const tfWasm = path.join(peerDir('@tensorflow/tfjs-backend-wasm'), 'dist');
  const sets = {
    webgrad: [...wgFiles, wgWasm],
    ort: [
      path.join(ortDist, 'ort.node.min.mjs'),
      ...(fs.existsSync(ortCommon) ? walk(ortCommon).filter((f) => f.endsWith('.js')) : []),
      path.join(ortDist, 'ort-wasm-simd-threaded.mjs'),
      path.join(ortDist, 'ort-wasm-simd-threaded.wasm'),
    ],
    tfjs: [
      path.join(tfCore, 'tf-core.min.js'),
      path.join(tfWasm, 'tf-backend-wasm.min.js'),
      path.join(tfWasm, 'tfjs-backend-wasm-simd.wasm'),
    ],
  };
  const out = {};
  for (const [k, files] of Object.entries(sets)) {
    const present = files.filter((f) => fs.existsSync(f));
    const js = present.filter((f) => !f.endsWith('.wasm'));
    const wasm = present.filter((f) => f.endsWith('.wasm'));
    const jsGz = zlib.gzipSync(Buffer.concat(js.map((f) => fs.readFileSync(f))), { level: 9 }).length;
    const wasmGz = wasm.reduce((s, f) => s + gz(f), 0);
    out[k] = {
      gzip_bytes: jsGz + wasmGz,
      js_gzip_bytes: jsGz,
      wasm_gzip_bytes: wasmGz,
      gzip_bytes_per_file_sum: present.reduce((s, f) => s + gz(f), 0),
      raw_bytes: present.reduce((s, f) => s + fs.statSync(f).size, 0),
      files: present.length,
      missing: files.filter((f) => !fs.existsSync(f)).map((f) => path.relative(ROOT, f)),
      list: present.map((f) => path.relative(ROOT, f)),
    };
  }
  return out;
}

// -------------------------------------------------------------------------- import -> first inference
async function childFirst(name, opts) {
  // t0 = this module's first line; the import of the runtime, the load and one CNN batch-1 predict.
  const rt = await makeRuntime(name, opts);
  const runner = await rt.load(path.join(opts.modelsDir, 'cnn'));
  const out = await runner.run(inputData(28 * 28), [1, 28, 28, 1]);
  const t1 = performance.now();
  process.stdout.write(JSON.stringify({ ms: t1 - T_MODULE_START, out0: out[0], label: rt.label }) + '\n');
  process.exit(0);
}

/** Fresh processes for each framework, taken in turns (so that a slow spell of the machine hits all alike). */
function firstInference(frameworks, opts) {
  const times = Object.fromEntries(frameworks.map((f) => [f, []]));
  const labels = {};
  const errors = {};
  for (let i = 0; i < opts.firstRuns; i++) {
    for (const fw of frameworks) {
      if (errors[fw]) continue;
      const j = childJson(['--child-first', fw], opts);
      if (j.error) errors[fw] = j.error;
      else {
        times[fw].push(j.ms);
        labels[fw] = j.label;
      }
    }
  }
  return Object.fromEntries(
    frameworks.map((fw) => {
      if (errors[fw]) return [fw, { error: errors[fw] }];
      const t = times[fw].sort((a, b) => a - b);
      return [fw, { median_ms: quantile(t, 0.5), min_ms: t[0], runs: t.length, label: labels[fw] ?? fw }];
    }),
  );
}

// ------------------------------------------------------------------------------- one case per process
const SHAPES = { mlp: [784], cnn: [28, 28, 1], mobilenet: [224, 224, 3] };

async function childBench(spec, opts) {
  const [fw, what] = spec.split(':');
  const rt = await makeRuntime(fw, opts);
  const out = { label: rt.label, version: rt.version, backend: rt.backend, note: rt.note };
  if (what === 'matmul') {
    out.matmul = {};
    for (const n of opts.matmul) {
      const runner = rt.matmulRunner ? rt.matmulRunner(n) : await rt.load(path.join(opts.modelsDir, `matmul${n}`));
      const data = inputData(n * n, 7);
      const r = await timeIt(() => runner.run(data, [n, n]), { ...opts, runs: Math.max(opts.runs, 20) });
      const flop = 2 * n ** 3;
      out.matmul[n] = { ...r, gflops: flop / (r.median_ms * 1e6), gflops_best: flop / (r.min_ms * 1e6) };
      await runner.dispose();
    }
  } else {
    const shp = SHAPES[what];
    if (!shp) throw new Error(`unknown model ${what}`);
    const runner = await rt.load(path.join(opts.modelsDir, what));
    out.check = Array.from(await runner.run(inputData(2 * shp.reduce((a, b) => a * b, 1), 3), [2, ...shp]));
    out.latency = {};
    for (const b of opts.batches) {
      const shape = [b, ...shp];
      const data = inputData(shape.reduce((a, c) => a * c, 1));
      out.latency[b] = await timeIt(() => runner.run(data, shape), opts);
    }
    await runner.dispose();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

function childArgs(opts) {
  return [
    '--models-dir',
    opts.modelsDir,
    '--backend',
    opts.backend,
    '--runs',
    String(opts.runs),
    '--warmup',
    String(opts.warmup),
    '--warmup-s',
    String(opts.warmupS),
    '--min-time-s',
    String(opts.minTimeS),
    '--budget-s',
    String(opts.budgetS),
    '--batches',
    opts.batches.join(','),
    '--matmul',
    opts.matmul.join(','),
  ];
}

function childJson(args, opts) {
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...args, ...childArgs(opts)],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const line = (r.stdout || '').trim().split('\n').pop();
  if (r.status !== 0 || !line) return { error: `exit ${r.status}: ${(r.stderr || r.stdout || '').slice(-800)}` };
  return JSON.parse(line);
}

// ------------------------------------------------------------------------------------------------ main
function ensureModels(opts) {
  const idx = path.join(opts.modelsDir, 'models.json');
  const want = [...opts.models, ...opts.matmul.map((n) => `matmul${n}`)];
  const have = fs.existsSync(idx) ? Object.keys(JSON.parse(fs.readFileSync(idx, 'utf8')).models) : [];
  if (want.every((m) => have.includes(m))) return;
  console.error(`making models in ${opts.modelsDir} ...`);
  execFileSync(
    opts.python,
    [
      path.join(HERE, 'make_peer_models.py'),
      opts.modelsDir,
      '--models',
      opts.models.join(','),
      '--matmul',
      opts.matmul.join(','),
    ],
    { stdio: 'inherit', cwd: ROOT },
  );
}

const fmtMs = (ms) =>
  ms == null || !Number.isFinite(ms) ? '—' : ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
const fmtRatio = (r) => (r == null || !Number.isFinite(r) ? '—' : `${r.toFixed(2)}×`);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.child) return childFirst(opts.child, opts);
  if (opts.childBench) return childBench(opts.childBench, opts);
  ensureModels(opts);
  const relaxed = process.execArgv.includes(RELAXED_FLAG);
  const mode = relaxed ? 'relaxed-simd' : 'simd128';
  const res = { latency: {}, matmul: {}, check: {}, first: {}, frameworks: {} };
  const outputs = {};
  // Every (framework, model) and each framework's matmul series runs in a fresh process: no runtime
  // shares a heap or JIT state with another, nor with its own earlier cases (ORT Web's MatMul fell from
  // 28 to 7 GFLOP/s after thousands of calls on other models in the same process).
  // With --rounds N every case runs N times, the frameworks taking turns within each model, and each
  // figure keeps the round with the lowest median: another tenant slowing the machine for a while then
  // costs a round, not the result (the medians of every round are in the JSON).
  /** keeps `v` (with `round_medians_ms`) unless `old` has a lower median */
  const better = (old, v) => {
    const medians = [...(old?.round_medians_ms ?? []), v.median_ms];
    const best = old && old.median_ms <= v.median_ms ? old : v;
    return { ...best, round_medians_ms: medians };
  };
  const cases = [...opts.models, ...(opts.matmul.length ? ['matmul'] : [])];
  const failed = new Set();
  for (let round = 1; round <= opts.rounds; round++) {
    const tag = opts.rounds > 1 ? ` (round ${round}/${opts.rounds})` : '';
    for (const what of cases) {
      for (const fw of opts.frameworks) {
        if (failed.has(fw)) continue;
        const r = childJson(['--child-bench', `${fw}:${what}`], opts);
        if (r.error) {
          console.error(`${fw} ${what}: failed: ${r.error}`);
          res.frameworks[fw] ??= { error: r.error };
          failed.add(fw);
          continue;
        }
        if (!res.frameworks[fw] || res.frameworks[fw].error) {
          res.frameworks[fw] = { label: r.label, version: r.version, backend: r.backend, note: r.note || undefined };
        }
        const name = res.frameworks[fw].label;
        if (what === 'matmul') {
          for (const [n, v] of Object.entries(r.matmul)) {
            (res.matmul[n] ??= {})[fw] = better(res.matmul[n][fw], v);
            console.error(
              `  ${name}: matmul ${n}: ${v.gflops.toFixed(1)} GFLOP/s (median; best ${v.gflops_best.toFixed(1)})${tag}`,
            );
          }
        } else {
          (outputs[what] ??= {})[fw] = Float32Array.from(r.check);
          for (const [b, v] of Object.entries(r.latency)) {
            const row = ((res.latency[what] ??= {})[b] ??= {});
            row[fw] = better(row[fw], v);
            console.error(
              `  ${name}: ${what} batch ${b}: median ${fmtMs(v.median_ms)} p90 ${fmtMs(v.p90_ms)} (${v.runs} runs)${tag}`,
            );
          }
        }
      }
    }
  }
  for (const [m, byFw] of Object.entries(outputs)) {
    const fws = Object.keys(byFw);
    const pairs = {};
    for (let i = 0; i < fws.length; i++)
      for (let j = i + 1; j < fws.length; j++) {
        pairs[`${fws[i]} vs ${fws[j]}`] = maxAbsDiff(byFw[fws[i]], byFw[fws[j]]);
      }
    const ref = byFw[fws[0]];
    const maxOut = ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    const minOut = ref.reduce((a, v) => Math.min(a, Math.abs(v)), Infinity);
    res.check[m] = { max_abs_diff: pairs, output_abs_range: [minOut, maxOut] };
    console.error(
      `  same output, ${m} (batch 2, max abs diff; outputs span ${minOut.toExponential(2)}..${maxOut.toExponential(2)}): ` +
        Object.entries(pairs)
          .map(([k, v]) => `${k} ${v.toExponential(2)}`)
          .join(', '),
    );
  }
  if (opts.models.includes('cnn') && opts.firstRuns > 0) {
    res.first = firstInference(
      opts.frameworks.filter((fw) => res.frameworks[fw] && !res.frameworks[fw].error),
      opts,
    );
  }
  res.sizes = await sizes(mode);

  // ------------------------------------------------------------------------------------------ table
  const fws = opts.frameworks.filter((f) => res.frameworks[f] && !res.frameworks[f].error);
  const peers = fws.filter((f) => f !== 'webgrad');
  const rows = [];
  const row = (label, vals, fmt, higherBetter, target) => {
    const w = vals.webgrad;
    const ratios = peers.map((p) => (w == null || vals[p] == null ? null : higherBetter ? w / vals[p] : vals[p] / w));
    let t = '—';
    if (target) {
      const cmp = target.unit === 'µs' ? target.value / 1000 : target.value; // latency rows are in ms
      const ok = w != null && (target.op === '>=' ? w >= cmp : w <= cmp);
      t = `${target.op === '>=' ? '≥' : '≤'} ${target.value}${target.unit ? ` ${target.unit}` : ''} ${w == null ? '' : ok ? '✅' : '❌'}`;
    }
    rows.push([label, ...fws.map((f) => fmt(vals[f])), ...ratios.map(fmtRatio), t]);
  };
  const targetFor = { 'mlp:1': TARGETS.mlp_b1_us, 'cnn:1': TARGETS.cnn_b1_us, 'mobilenet:1': TARGETS.mobilenet_b1_ms };
  for (const m of opts.models) {
    for (const b of opts.batches) {
      const v = Object.fromEntries(fws.map((f) => [f, res.latency[m]?.[b]?.[f]?.median_ms]));
      const p90 = Object.fromEntries(fws.map((f) => [f, res.latency[m]?.[b]?.[f]?.p90_ms]));
      const tgt = targetFor[`${m}:${b}`];
      row(`${m} batch ${b}, median`, v, fmtMs, false, tgt);
      row(`${m} batch ${b}, p90`, p90, fmtMs, false, null);
    }
  }
  for (const n of opts.matmul) {
    const v = Object.fromEntries(fws.map((f) => [f, res.matmul[n]?.[f]?.gflops]));
    row(
      `matmul ${n} GFLOP/s`,
      v,
      (x) => (x == null ? '—' : x.toFixed(1)),
      true,
      n === 1024 ? TARGETS.matmul1024_gflops : null,
    );
  }
  if (Object.keys(res.first).length) {
    const v = Object.fromEntries(fws.map((f) => [f, res.first[f]?.median_ms]));
    row('import → first inference (CNN)', v, fmtMs, false, TARGETS.first_ms);
  }
  const kb = Object.fromEntries(fws.map((f) => [f, res.sizes[f].gzip_bytes / 1024]));
  row('JS + wasm, gzipped (KB)', kb, (x) => (x == null ? '—' : x.toFixed(1)), false, TARGETS.size_kb);

  const header = [
    'figure',
    ...fws.map((f) => res.frameworks[f].label),
    ...peers.map((p) => `webgrad vs ${p}`),
    'target (webgrad)',
  ];
  const table = [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  const env = {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    cpu: cpuModel(),
    cpus: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}`,
    flags: process.execArgv,
    mode,
    runs: opts.runs,
    warmup: opts.warmup,
    models: (({ seed, onnx_opset, onnx_version, webgrad_version }) => ({
      seed,
      onnx_opset,
      onnx_version,
      webgrad_version,
    }))(JSON.parse(fs.readFileSync(path.join(opts.modelsDir, 'models.json'), 'utf8'))),
    budget_s: opts.budgetS,
    warmup_s: opts.warmupS,
    min_time_s: opts.minTimeS,
    threads: 1,
    rounds: opts.rounds,
    first_runs: opts.firstRuns,
  };
  console.log(
    `\nInference, one thread, ${mode} (${env.node}, ${env.cpu}); ratios > 1× mean webgrad is faster/smaller\n`,
  );
  console.log(table);
  if (res.frameworks.webgrad?.note) console.log(`\nwebgrad: ${res.frameworks.webgrad.note}`);
  fs.mkdirSync(path.dirname(opts.output), { recursive: true });
  let all = {};
  try {
    all = JSON.parse(fs.readFileSync(opts.output, 'utf8'));
  } catch {
    /* new file */
  }
  all.targets = TARGETS;
  (all.modes ??= {})[mode] = { env, table, ...res };
  fs.writeFileSync(opts.output, JSON.stringify(all, null, 1) + '\n');
  console.error(`\nwrote ${path.relative(process.cwd(), opts.output)} (mode ${mode})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

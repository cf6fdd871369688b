#!/usr/bin/env node
// Training-step speed, one thread: a batch-64 SGD step of the MLP 784-512-256-10 and the MNIST CNN on
// webgrad (wasm; js for reference) next to tfjs-layers (wasm and cpu backends), jax-js (Wasm, grad +
// jit) and PyTorch (CPU), from the same initial weights on the same batch. Never part of the tests.
// See benchmarks/README.md.
//
//   node benchmarks/train_step.mjs [--runs 50] [--models mlp,cnn] [--dir DIR] [--rounds 1]
//        [--frameworks webgrad-wasm,webgrad-js,tfjs-wasm,tfjs-cpu,jax,torch] [--profile 1]
//        [--warmup 10] [--warmup-s 1] [--min-time-s 0.5] [--budget-s 60] [--webgrad dist|src]
//        [--python python3] [--output benchmarks/results/train_step.json]
//
// Inputs are made on first use into --dir (default: $TMPDIR/webgrad-train-step) by
// `python benchmarks/make_train_bundles.py`. Peers come from benchmarks/peers (npm ci there);
// PyTorch from `pip install torch==2.13.0`.

import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { list, parseOptions, quantile } from './_options.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const PEERS = path.join(HERE, 'peers');
const WG_PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'js_runtime', 'package.json'), 'utf8'));
const WG_ENTRY = {
  dist: path.join(ROOT, 'js_runtime', WG_PKG.exports['.'].import), // what `import 'webgrad'` loads
  src: path.join(ROOT, 'js_runtime', 'src', 'index.js'),
};
const FRAMEWORKS = ['webgrad-wasm', 'webgrad-js', 'tfjs-wasm', 'tfjs-cpu', 'jax', 'torch'];
// issue 15: MLP step <= 4.5 ms, CNN step <= 40 ms, and within 2x of PyTorch CPU (webgrad wasm)
const TARGETS = { mlp: 4.5, cnn: 40, torchRatio: 2 };

// ---------------------------------------------------------------------------------------------- args
function parseArgs(argv) {
  let o = {
    runs: 50,
    warmup: 10,
    warmupS: 1,
    minTimeS: 0.5,
    budgetS: 60,
    models: 'mlp,cnn',
    frameworks: FRAMEWORKS.join(','),
    rounds: 1,
    profile: 1,
    webgrad: 'dist',
    dir: path.join(os.tmpdir(), 'webgrad-train-step'),
    python: process.env.PYTHON || 'python3',
    output: path.join(HERE, 'results', 'train_step.json'),
    child: null,
  };
  const keys = {
    '--runs': 'runs',
    '--warmup': 'warmup',
    '--warmup-s': 'warmupS',
    '--min-time-s': 'minTimeS',
    '--budget-s': 'budgetS',
    '--models': 'models',
    '--frameworks': 'frameworks',
    '--rounds': 'rounds',
    '--profile': 'profile',
    '--webgrad': 'webgrad',
    '--dir': 'dir',
    '--python': 'python',
    '--output': 'output',
    '--child': 'child',
  };
  o = parseOptions(argv, o, keys, import.meta.url, 14);
  o.models = list(o.models);
  o.frameworks = list(o.frameworks);
  for (const f of o.frameworks) if (!FRAMEWORKS.includes(f)) throw new Error(`unknown framework ${f}`);
  if (!(o.webgrad in WG_ENTRY)) throw new Error(`--webgrad must be dist or src`);
  return o;
}

// ------------------------------------------------------------------------------------------- helpers
const peerRequire = createRequire(path.join(PEERS, 'package.json'));

/** After the 3 cross-check steps (the first of the warm-up): warm-up to at least `warmup` steps and
 * `warmupS` s, at most a quarter of the budget; then at least `runs` timed steps and `minTimeS` s,
 * stopping after 3 past `budgetS` (tfjs-cpu's CNN step takes ~30 s). train_step_torch.py does the same. */
async function timeSteps(step, { runs, warmup, warmupS, minTimeS, budgetS }, tw) {
  for (let i = 3; ; i++) {
    const el = performance.now() - tw;
    if (i >= warmup && el >= warmupS * 1000) break;
    if (el > budgetS * 250) break;
    await step();
  }
  const times = [];
  const t0 = performance.now();
  for (;;) {
    const el = performance.now() - t0;
    if (times.length >= runs && el >= minTimeS * 1000) break;
    if (times.length >= 3 && el > budgetS * 1000) break;
    const a = performance.now();
    await step();
    times.push(performance.now() - a);
  }
  times.sort((x, y) => x - y);
  return { runs: times.length, median_ms: quantile(times, 0.5), p90_ms: quantile(times, 0.9), min_ms: times[0] };
}

/** The inputs make_train_bundles.py wrote for `model`: bundle dir, batch (x float32, y int32), shapes. */
function readCase(dir, model) {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'train_bundles.json'), 'utf8'));
  const info = index.models[model];
  if (!info) throw new Error(`no model ${model} in ${dir}/train_bundles.json`);
  const raw = fs.readFileSync(path.join(dir, info.batch));
  const nx = info.x_shape.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength).slice();
  return {
    bundle: path.join(dir, info.bundle),
    lr: index.learning_rate,
    x: new Float32Array(bytes.buffer, 0, nx),
    y: new Int32Array(bytes.buffer, nx * 4, info.y_shape[0]),
    xShape: info.x_shape,
  };
}

/** The bundle's float32 tensors by name, read from its bytes (offsets into the shards laid end to end),
 * and its trainable weights as [kernel, bias] per layer, in layer order. */
function readBundleWeights(bundle) {
  const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'model.json'), 'utf8'));
  const data = Buffer.concat(manifest.weights.shards.map((s) => fs.readFileSync(path.join(bundle, s.file))));
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  const t = new Map();
  for (const w of manifest.weights.tensors) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    t.set(w.name, { data: new Float32Array(bytes.buffer, w.offset, n), shape: w.shape });
  }
  const names = manifest.training.trainable;
  const layers = [];
  for (let i = 0; i < names.length; i += 2) layers.push([t.get(names[i]), t.get(names[i + 1])]);
  return layers;
}

function oneHot(y, classes) {
  const a = new Float32Array(y.length * classes);
  for (let i = 0; i < y.length; i++) a[i * classes + y[i]] = 1;
  return a;
}

function cpuModel() {
  try {
    const m = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    /* not Linux */
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

// ------------------------------------------------------------------------------------ the frameworks
// Each: setup(caseData, opts) -> {label, version, step: async () => loss (read back into JS), note?}.

async function webgradSetup(c, opts, backend) {
  const wg = await import(pathToFileURL(WG_ENTRY[opts.webgrad]).href);
  const model = await wg.loadModel(c.bundle, { trainable: true, backend });
  const x = wg.tensor(c.x, c.xShape);
  return {
    label: `webgrad ${wg.VERSION} (${backend})`,
    version: wg.VERSION,
    note: model.backendReason,
    step: async () => (await model.trainStep(x, c.y)).loss,
  };
}

async function tfjsSetup(c, opts, model, backend) {
  const tf = peerRequire('@tensorflow/tfjs-core');
  if (backend === 'wasm') {
    const wasm = peerRequire('@tensorflow/tfjs-backend-wasm');
    if (typeof wasm.setThreadsCount === 'function') wasm.setThreadsCount(1);
  } else {
    peerRequire('@tensorflow/tfjs-backend-cpu');
  }
  const tfl = peerRequire('@tensorflow/tfjs-layers');
  await tf.setBackend(backend);
  await tf.ready();
  const layers = readBundleWeights(c.bundle);
  const L = tfl.layers;
  const net =
    model === 'mlp'
      ? [
          L.dense({ units: 512, activation: 'relu', inputShape: [784] }),
          L.dense({ units: 256, activation: 'relu' }),
          L.dense({ units: 10, activation: 'softmax' }),
        ]
      : [
          L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
          L.maxPooling2d({ poolSize: 2 }),
          L.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
          L.maxPooling2d({ poolSize: 2 }),
          L.flatten(), // channels-last, like the bundle's Flatten: the Dense kernel needs no re-ordering
          L.dense({ units: 128, activation: 'relu' }),
          L.dense({ units: 10, activation: 'softmax' }),
        ];
  const m = tfl.sequential({ layers: net });
  // HWIO conv kernels and [in, out] dense kernels: tfjs-layers' own layouts
  m.setWeights(layers.flat().map((w) => tf.tensor(w.data, w.shape, 'float32')));
  m.compile({ optimizer: tf.train.sgd(c.lr), loss: 'sparseCategoricalCrossentropy' });
  const x = tf.tensor(c.x, c.xShape, 'float32');
  const y = tf.tensor(Float32Array.from(c.y), [c.y.length, 1], 'float32');
  return {
    label: `tfjs-layers ${tf.version_core} (${backend})`,
    version: tf.version_core,
    // trainOnBatch: one step of fit's loop, the loss read back (it resolves to a number)
    step: async () => /** @type {number} */ (await m.trainOnBatch(x, y)),
  };
}

async function jaxSetup(c, opts, model) {
  const entry = path.join(PEERS, 'node_modules', '@jax-js', 'jax', 'dist', 'index.js');
  const jax = await import(pathToFileURL(entry).href);
  const version = JSON.parse(
    fs.readFileSync(path.join(PEERS, 'node_modules', '@jax-js', 'jax', 'package.json'), 'utf8'),
  ).version;
  const { numpy: np, nn, jit, valueAndGrad, init, defaultDevice, tree } = jax;
  const devices = await init('wasm');
  if (!devices.includes('wasm')) throw new Error(`jax-js: no wasm device here (init gave ${devices})`);
  defaultDevice('wasm'); // jax-js 0.1.25's wasm device runs on the calling thread (no workers)
  if (model !== 'mlp') {
    return {
      skip:
        'not measured: jax-js 0.1.25 has lax.conv and reduceWindow, but this harness only ports the MLP ' +
        '(a max-pool gradient through reduceWindow was not tried in the time given)',
    };
  }
  const B = c.xShape[0];
  let params = readBundleWeights(c.bundle).map(([k, b]) => ({
    w: np.array(Float32Array.from(k.data)).reshape(k.shape),
    b: np.array(Float32Array.from(b.data)),
  }));
  const x = np.array(Float32Array.from(c.x)).reshape(c.xShape);
  const y = np.array(oneHot(c.y, 10)).reshape([B, 10]);
  // jax-js owns its arguments (reference counts): each array is used once, or through .ref / tree.ref
  const lossFn = (p, xb, yb) => {
    let h = xb;
    p.forEach((l, i) => {
      h = np.matmul(h, l.w).add(l.b);
      if (i < p.length - 1) h = nn.relu(h);
    });
    return nn
      .logSoftmax(h, -1)
      .mul(yb)
      .sum()
      .mul(-1 / B);
  };
  const lr = c.lr;
  const update = jit((p, xb, yb) => {
    const [loss, g] = valueAndGrad(lossFn)(tree.ref(p), xb, yb);
    return [loss, tree.map((w, gw) => w.sub(gw.mul(lr)), p, g)];
  });
  return {
    label: `jax-js ${version} (wasm, jit)`,
    version,
    step: async () => {
      const [loss, next] = update(params, x.ref, y.ref);
      params = next;
      return (await loss.data())[0];
    },
  };
}

function torchCase(model, opts) {
  const r = spawnSync(
    opts.python,
    [
      path.join(HERE, 'train_step_torch.py'),
      '--dir',
      opts.dir,
      '--model',
      model,
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
    ],
    { encoding: 'utf8', cwd: ROOT },
  );
  const line = (r.stdout || '').trim().split('\n').pop();
  if (r.status !== 0 || !line) return { error: `exit ${r.status}: ${(r.stderr || r.stdout || '').slice(-600)}` };
  return JSON.parse(line);
}

// ------------------------------------------------------------------------------ one case per process
async function childCase(spec, opts) {
  const [fw, model] = spec.split(':');
  if (fw === 'profile') return childProfile(model, opts);
  const c = readCase(opts.dir, model);
  let rt;
  try {
    if (fw === 'webgrad-wasm' || fw === 'webgrad-js') rt = await webgradSetup(c, opts, fw.slice(8));
    else if (fw === 'tfjs-wasm' || fw === 'tfjs-cpu') rt = await tfjsSetup(c, opts, model, fw.slice(5));
    else if (fw === 'jax') rt = await jaxSetup(c, opts, model);
    else throw new Error(`unknown framework ${fw}`);
    if (rt.skip) return { skip: rt.skip };
    const first = [];
    const tw = performance.now();
    for (let i = 0; i < 3; i++) first.push(await rt.step()); // the cross-check: same weights, same batch
    const r = await timeSteps(rt.step, opts, tw);
    return { label: rt.label, version: rt.version, note: rt.note, first_losses: first, ...r };
  } catch (e) {
    // e.g. tfjs-wasm on the CNN: "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"
    return { label: rt?.label, error: String(e?.message ?? e).split('\n')[0] };
  }
}

/**
 * What webgrad's wasm step is made of: the wasm backend registered again as 'wasm-prof' with every kernel
 * wrapped in a timer (public API: getBackend + registerBackend). Kernel calls come in plan order:
 * the forward graph's nodes, then the loss graph's, then the backward nodes (the executor runs
 * Reshape/Flatten/ReshapeLike as views, without a call). The rest of the step (label encoding, input
 * copy, the SGD update of the weights in place, the loss check) is the step's time minus the kernels'.
 */
async function childProfile(model, opts) {
  const wg = await import(pathToFileURL(WG_ENTRY[opts.webgrad]).href);
  const c = readCase(opts.dir, model);
  const manifest = JSON.parse(fs.readFileSync(path.join(c.bundle, 'model.json'), 'utf8'));
  const views = new Set(['Reshape', 'Flatten', 'ReshapeLike']);
  const nForward = manifest.graph.nodes.filter((n) => !views.has(n.op)).length;
  const nLoss = manifest.training.lossGraph.nodes.filter((n) => !views.has(n.op)).length;
  const calls = []; // [op, ms] of the current step, in call order
  let on = false;
  const base = wg.getBackend('wasm');
  wg.registerBackend('wasm-prof', {
    description: 'wasm with timed kernels (benchmarks/train_step.mjs)',
    available: (o) => base.available(o),
    create: async (o) => {
      const inst = await base.create(o);
      const wrapped = {};
      for (const [op, fn] of Object.entries(inst.kernels)) {
        wrapped[op] = (ins, attrs, out) => {
          if (!on) return fn(ins, attrs, out);
          const t = performance.now();
          fn(ins, attrs, out);
          calls.push([op, performance.now() - t]);
        };
      }
      inst.kernels = wrapped;
      return inst;
    },
  });
  const m = await wg.loadModel(c.bundle, { trainable: true, backend: 'wasm-prof' });
  const x = wg.tensor(c.x, c.xShape);
  const steps = Math.max(20, Math.min(opts.runs, 200));
  for (let i = 0; i < 10; i++) await m.trainStep(x, c.y);
  const perCall = [];
  const perStep = { step: [], forward: [], loss: [], backward: [], rest: [] };
  const phaseOf = (i) => (i < nForward ? 'forward' : i < nForward + nLoss ? 'loss' : 'backward');
  on = true;
  for (let s = 0; s < steps; s++) {
    calls.length = 0;
    const t = performance.now();
    await m.trainStep(x, c.y);
    const total = performance.now() - t;
    const sums = { forward: 0, loss: 0, backward: 0 };
    calls.forEach(([op, ms], i) => {
      (perCall[i] ??= { op, times: [] }).times.push(ms);
      sums[phaseOf(i)] += ms;
    });
    perStep.step.push(total);
    for (const k of Object.keys(sums)) perStep[k].push(sums[k]);
    perStep.rest.push(total - sums.forward - sums.loss - sums.backward);
  }
  const med = (a) =>
    quantile(
      [...a].sort((p, q) => p - q),
      0.5,
    );
  // each figure is the median over steps of that part of the step (a noisy machine's spikes fall on
  // one part of one step and stay out of the others' medians), so they need not add up to step_ms
  return {
    label: `webgrad ${wg.VERSION} (wasm, kernels timed)`,
    steps,
    step_ms: med(perStep.step),
    forward_ms: med(perStep.forward),
    loss_ms: med(perStep.loss),
    backward_ms: med(perStep.backward),
    rest_ms: med(perStep.rest),
    ops: perCall.map((p, i) => ({ i, op: p.op, phase: phaseOf(i), median_ms: med(p.times) })),
  };
}

function childJson(spec, opts) {
  const args = [
    fileURLToPath(import.meta.url),
    '--child',
    spec,
    ...['--dir', opts.dir, '--webgrad', opts.webgrad, '--runs', String(opts.runs), '--warmup', String(opts.warmup)],
    ...['--warmup-s', String(opts.warmupS), '--min-time-s', String(opts.minTimeS), '--budget-s', String(opts.budgetS)],
  ];
  const r = spawnSync(process.execPath, [...process.execArgv, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = (r.stdout || '').trim().split('\n').pop();
  if (r.status !== 0 || !line) return { error: `exit ${r.status}: ${(r.stderr || r.stdout || '').slice(-600)}` };
  return JSON.parse(line);
}

// ------------------------------------------------------------------------------------------------ main
const fmtMs = (ms) => (ms == null || !Number.isFinite(ms) ? '—' : `${ms.toFixed(2)} ms`);

function ensureInputs(opts) {
  if (fs.existsSync(path.join(opts.dir, 'train_bundles.json'))) return;
  console.error(`making the trainable bundles in ${opts.dir} ...`);
  execFileSync(opts.python, [path.join(HERE, 'make_train_bundles.py'), opts.dir], { stdio: 'inherit', cwd: ROOT });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.child) {
    process.stdout.write(JSON.stringify(await childCase(opts.child, opts)) + '\n');
    process.exit(0);
  }
  ensureInputs(opts);
  const res = {}; // res[model][fw] = best round
  const errors = {}; // errors[model][fw] = message (a row of the table)
  for (let round = 1; round <= opts.rounds; round++) {
    const tag = opts.rounds > 1 ? ` (round ${round}/${opts.rounds})` : '';
    for (const model of opts.models) {
      for (const fw of opts.frameworks) {
        if (errors[model]?.[fw]) continue;
        // every (framework, model) in a fresh process; the frameworks take turns within each model
        const r = fw === 'torch' ? torchCase(model, opts) : childJson(`${fw}:${model}`, opts);
        if (r.error || r.skip) {
          (errors[model] ??= {})[fw] = r.error ? `error: ${r.error}` : r.skip;
          console.error(`  ${fw} ${model}: ${r.error ? `error: ${r.error}` : r.skip}`);
          continue;
        }
        const old = res[model]?.[fw];
        const medians = [...(old?.round_medians_ms ?? []), r.median_ms];
        (res[model] ??= {})[fw] = { ...(old && old.median_ms <= r.median_ms ? old : r), round_medians_ms: medians };
        console.error(
          `  ${r.label}: ${model} step median ${fmtMs(r.median_ms)} p90 ${fmtMs(r.p90_ms)} (${r.runs} steps; ` +
            `first losses ${r.first_losses.map((l) => l.toFixed(6)).join(', ')})${tag}`,
        );
      }
    }
  }
  const profile = {};
  if (opts.profile && opts.frameworks.includes('webgrad-wasm')) {
    for (const model of opts.models) {
      const p = childJson(`profile:${model}`, opts);
      profile[model] = p;
      if (p.error) console.error(`  profile ${model}: ${p.error}`);
    }
  }

  // ------------------------------------------------------------------------------------------ tables
  const labels = {};
  for (const byFw of Object.values(res)) for (const [fw, r] of Object.entries(byFw)) labels[fw] = r.label;
  const head = ['framework', ...opts.models.flatMap((m) => [`${m} step, median`, `${m} p90`, `${m} first loss`])];
  const rows = opts.frameworks.map((fw) => [
    labels[fw] ?? fw,
    ...opts.models.flatMap((m) => {
      const r = res[m]?.[fw];
      if (!r) return [errors[m]?.[fw] ?? '—', '—', '—'];
      return [fmtMs(r.median_ms), fmtMs(r.p90_ms), r.first_losses[0].toFixed(6)];
    }),
  ]);
  const md = (h, rs) =>
    [`| ${h.join(' | ')} |`, `| ${h.map(() => '---').join(' | ')} |`, ...rs.map((r) => `| ${r.join(' | ')} |`)].join(
      '\n',
    );
  const table = md(head, rows);
  // webgrad wasm against its targets and each peer (peer time / webgrad time: > 1x = webgrad faster)
  const tRows = opts.models.map((m) => {
    const w = res[m]?.['webgrad-wasm']?.median_ms;
    const t = res[m]?.torch?.median_ms;
    const abs = w == null ? '—' : `${fmtMs(w)} vs ≤ ${TARGETS[m]} ms ${w <= TARGETS[m] ? '✅' : '❌'}`;
    const rel =
      w == null || t == null
        ? '—'
        : `${(w / t).toFixed(2)}× PyTorch vs ≤ ${TARGETS.torchRatio}× ${w / t <= TARGETS.torchRatio ? '✅' : '❌'}`;
    const peers = opts.frameworks
      .filter((f) => f !== 'webgrad-wasm')
      .map((f) => {
        const p = res[m]?.[f]?.median_ms;
        return w == null || p == null ? '—' : `${(p / w).toFixed(2)}×`;
      });
    return [m, abs, rel, ...peers];
  });
  const targetsTable = md(
    [
      'model',
      'webgrad wasm step (target)',
      'vs PyTorch (target)',
      ...opts.frameworks.filter((f) => f !== 'webgrad-wasm').map((f) => `${f} ÷ webgrad-wasm`),
    ],
    tRows,
  );
  let profileTable = '';
  const pModels = Object.keys(profile).filter((m) => !profile[m].error);
  if (pModels.length) {
    profileTable = md(
      ['model', 'step (kernels timed)', 'forward', 'loss', 'backward', 'update + the rest'],
      pModels.map((m) => {
        const p = profile[m];
        const pct = (x) => `${fmtMs(x)} (${((100 * x) / p.step_ms).toFixed(0)} %)`;
        return [m, fmtMs(p.step_ms), pct(p.forward_ms), pct(p.loss_ms), pct(p.backward_ms), pct(p.rest_ms)];
      }),
    );
  }
  const env = {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    cpu: cpuModel(),
    cpus: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}`,
    flags: process.execArgv,
    threads: 1,
    batch: 64,
    optimizer: 'sgd (learning rate 0.01)',
    loss: 'sparse categorical cross-entropy',
    webgrad_entry: path.relative(ROOT, WG_ENTRY[opts.webgrad]),
    runs: opts.runs,
    warmup: opts.warmup,
    warmup_s: opts.warmupS,
    min_time_s: opts.minTimeS,
    budget_s: opts.budgetS,
    rounds: opts.rounds,
    command: `node ${path.relative(ROOT, fileURLToPath(import.meta.url))} ${process.argv.slice(2).join(' ')}`.trim(),
  };
  console.log(`\nTraining step, batch 64, SGD, one thread (${env.node}, ${env.cpu})\n`);
  console.log(table);
  console.log('\n' + targetsTable);
  if (profileTable) {
    console.log(
      `\nwebgrad wasm step, kernels timed one by one (median of each over ${profile[pModels[0]].steps} steps):\n`,
    );
    console.log(profileTable);
    for (const m of pModels) {
      const top = [...profile[m].ops].sort((a, b) => b.median_ms - a.median_ms).slice(0, 6);
      console.log(`  ${m} top kernels: ${top.map((o) => `${o.op} (${o.phase}) ${fmtMs(o.median_ms)}`).join(', ')}`);
    }
  }
  fs.mkdirSync(path.dirname(opts.output), { recursive: true });
  const out = { targets: TARGETS, env, table, targets_table: targetsTable, profile_table: profileTable };
  fs.writeFileSync(opts.output, JSON.stringify({ ...out, results: res, errors, profile }, null, 1) + '\n');
  console.error(`\nwrote ${path.relative(process.cwd(), opts.output)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Shared by the inference benchmarks (infer_speed.mjs, threads_quant.mjs): the runtimes under test behind
// one small interface, the timing loop and the helpers around them. Each runtime:
// load(modelDir) -> runner; runner.run(Float32Array, shape) -> Float32Array; runner.dispose().

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { quantile } from './_options.mjs';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..');
export const PEERS = path.join(HERE, 'peers');
const WG_PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'js_runtime', 'package.json'), 'utf8'));
// the package entry, as `import 'webgrad'` resolves it (exports['.'].import: the minified dist/ build),
// or the source it is built from
export const WG_ENTRIES = {
  dist: path.join(ROOT, 'js_runtime', WG_PKG.exports['.'].import),
  src: path.join(ROOT, 'js_runtime', 'src', 'index.js'),
};

// ------------------------------------------------------------------------------------------- helpers
const peerRequire = createRequire(path.join(PEERS, 'package.json'));

export const peerDir = (pkg) => path.join(PEERS, 'node_modules', ...pkg.split('/'));

export function peerEsmEntry(pkg) {
  const dir = peerDir(pkg);
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const e = pj.exports?.['.'];
  const rel = e?.node?.import ?? e?.import?.default ?? pj.module ?? pj.main;
  return path.join(dir, rel);
}

export function inputData(n, seed = 42) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 4294967296;
  }
  return a;
}

// Warm-up: at least `warmup` runs AND `warmupS` seconds (ORT Web's JS glue needs ~100 runs before its
// latency settles: 0.5 ms -> 0.29 ms on the CNN), but no more than a quarter of the case's budget.
// Timed: at least `runs` runs AND `minTimeS` seconds, stopping early (after 5 runs) past `budgetS`.
export async function timeIt(fn, { runs, warmup, warmupS, minTimeS, budgetS }) {
  const tw = performance.now();
  for (let i = 0; i < 100000; i++) {
    const el = performance.now() - tw;
    if (i >= warmup && el >= warmupS * 1000) break;
    if (i >= 2 && el > budgetS * 250) break;
    await fn();
  }
  const times = [];
  const t0 = performance.now();
  for (let i = 0; i < 100000; i++) {
    const el = performance.now() - t0;
    if (i >= runs && el >= minTimeS * 1000) break;
    if (i >= 5 && el > budgetS * 1000) break;
    const a = performance.now();
    await fn();
    times.push(performance.now() - a);
  }
  times.sort((x, y) => x - y);
  return { runs: times.length, median_ms: quantile(times, 0.5), p90_ms: quantile(times, 0.9), min_ms: times[0] };
}

export function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function cpuModel() {
  try {
    const m = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    /* not Linux */
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function gz(file) {
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

export function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? walk(p) : [p];
  });
}

// ----------------------------------------------------------------------------------------- runtimes
// Each: load(modelDir) -> runner; runner.run(Float32Array, shape) -> Float32Array; runner.dispose().

/**
 * webgrad on `request` ('auto' | 'wasm' | 'js'). `threads`: the loadModel option (omitted when null: the
 * runtime's default); `dtype`: which bundle of a model dir to load ('float32' → `webgrad/`, else
 * `webgrad-<dtype>/`); `entry`: 'dist' (what `import 'webgrad'` gets), 'src', or the path of an entry file
 * (e.g. a dist/webgrad.js built elsewhere).
 */
export async function webgradRuntime(request, { threads = null, dtype = 'float32', entry = 'dist' } = {}) {
  const wg = await import(pathToFileURL(WG_ENTRIES[entry] ?? path.resolve(entry)).href);
  let backend = request;
  let note = '';
  if (request === 'auto' || request === 'wasm') {
    const c = await wg.checkBackend('wasm');
    backend = c.available ? 'wasm' : 'js';
    if (!c.available) note = `wasm backend unavailable (${c.reason}); js backend`;
  }
  return {
    name: 'webgrad',
    label: `webgrad (${backend})`,
    backend,
    note,
    version: wg.VERSION,
    async load(dir) {
      const bundle = path.join(dir, dtype === 'float32' ? 'webgrad' : `webgrad-${dtype}`);
      const model = await wg.loadModel(bundle, { backend, ...(threads == null ? {} : { threads }) });
      return {
        model,
        async run(data, shape) {
          const x = wg.tensor(data, shape);
          const y = await model.predict(x);
          const out = await y.data();
          y.dispose();
          x.dispose();
          return out;
        },
        dispose() {
          model.dispose();
        },
      };
    },
  };
}

/** ONNX Runtime Web's wasm execution provider on `threads` threads (its `env.wasm.numThreads`). */
export async function ortRuntime({ threads = 1 } = {}) {
  const entry = peerEsmEntry('onnxruntime-web');
  const ort = await import(pathToFileURL(entry).href);
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  ort.env.logLevel = 'error';
  return {
    name: 'ort',
    label: `ORT Web ${ort.env.versions?.web ?? ''} (wasm${threads > 1 ? `, ${threads} threads` : ''})`.replace(
      '  ',
      ' ',
    ),
    version: ort.env.versions?.web,
    entry,
    async load(dir) {
      const session = await ort.InferenceSession.create(fs.readFileSync(path.join(dir, 'model.onnx')), {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
      });
      const [inName] = session.inputNames;
      const [outName] = session.outputNames;
      return {
        async run(data, shape) {
          const feeds = { [inName]: new ort.Tensor('float32', data, shape) };
          const r = await session.run(feeds);
          const out = r[outName].data;
          for (const t of Object.values(r)) t.dispose?.();
          return out;
        },
        dispose() {
          return session.release();
        },
      };
    },
  };
}

/**
 * tfjs-core with tfjs-backend-wasm (XNNPACK), asking for `threads` threads (`setThreadsCount`; its
 * Node build runs the single-threaded binary whatever is asked: the label says what it reports).
 */
export async function tfjsRuntime({ threads = 1 } = {}) {
  const tf = peerRequire('@tensorflow/tfjs-core');
  const wasm = peerRequire('@tensorflow/tfjs-backend-wasm');
  if (typeof wasm.setThreadsCount === 'function') wasm.setThreadsCount(threads);
  await tf.setBackend('wasm');
  await tf.ready();
  const running = typeof wasm.getThreadsCount === 'function' ? wasm.getThreadsCount() : 1;
  const act = { none: 'linear', relu: 'relu', relu6: 'relu6', sigmoid: 'sigmoid', leaky_relu: 'leakyrelu' };
  return {
    name: 'tfjs',
    label: `tfjs-wasm ${tf.version_core}${threads > 1 ? ` (${running} thread${running > 1 ? 's' : ''})` : ''}`,
    version: tf.version_core,
    tf,
    async load(dir) {
      const spec = JSON.parse(fs.readFileSync(path.join(dir, 'tfjs', 'manifest.json'), 'utf8'));
      const buf = fs.readFileSync(path.join(dir, 'tfjs', 'weights.bin'));
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).slice();
      const W = new Map();
      for (const t of spec.tensors) {
        W.set(t.name, tf.tensor(new Float32Array(bytes.buffer, t.offset, t.byteLength / 4), t.shape, 'float32'));
      }
      // Depthwise kernels: the bundle's HWIO [kh, kw, 1, C] -> tfjs [kh, kw, C, 1].
      const dw = new Map();
      for (const n of spec.nodes) {
        if (n.op === 'Conv2D' && n.attrs.groups > 1) {
          const k = W.get(n.inputs[1]);
          if (k.shape[2] !== 1 || k.shape[3] !== n.attrs.groups)
            throw new Error(`grouped conv ${n.name} not depthwise`);
          dw.set(n.name, tf.reshape(k, [k.shape[0], k.shape[1], k.shape[3], 1]));
        }
      }
      const inName = spec.inputs[0].name;
      const outName = spec.outputs[0].name;
      const forward = (x) => {
        const env = new Map([[inName, x]]);
        const get = (n) => env.get(n) ?? W.get(n);
        for (const n of spec.nodes) {
          const a = n.attrs;
          const ins = n.inputs;
          let y;
          switch (n.op) {
            case 'Conv2D': {
              const activation = act[a.activation ?? 'none'];
              if (!activation) throw new Error(`activation ${a.activation}`);
              const common = {
                x: get(ins[0]),
                strides: a.strides,
                pad: a.padding.toLowerCase(),
                dilations: a.dilations,
                bias: ins[2] ? get(ins[2]) : undefined,
                activation,
              };
              y =
                a.groups > 1
                  ? tf.fused.depthwiseConv2d({ ...common, filter: dw.get(n.name) })
                  : tf.fused.conv2d({ ...common, filter: get(ins[1]) });
              break;
            }
            case 'MatMul': {
              const activation = act[a.activation ?? 'none'];
              y = tf.fused.matMul({
                a: get(ins[0]),
                b: get(ins[1]),
                bias: ins[2] ? get(ins[2]) : undefined,
                activation,
                transposeA: !!a.transpose_a,
                transposeB: !!a.transpose_b,
              });
              break;
            }
            case 'Add':
              y = tf.add(get(ins[0]), get(ins[1]));
              break;
            case 'MaxPool2D':
              y = tf.maxPool(get(ins[0]), a.pool_size, a.strides, a.padding.toLowerCase());
              break;
            case 'GlobalAvgPool':
              y = tf.mean(get(ins[0]), [1, 2]);
              break;
            case 'Flatten': {
              const t = get(ins[0]);
              y = tf.reshape(t, [t.shape[0], -1]);
              break;
            }
            case 'Softmax':
              y = tf.softmax(get(ins[0]), a.axis ?? -1);
              break;
            case 'Relu':
              y = tf.relu(get(ins[0]));
              break;
            case 'Relu6':
              y = tf.relu6(get(ins[0]));
              break;
            default:
              throw new Error(`op ${n.op} not mapped to tfjs`);
          }
          env.set(n.outputs[0], y);
        }
        return env.get(outName);
      };
      return {
        async run(data, shape) {
          const x = tf.tensor(data, shape, 'float32');
          const y = tf.tidy(() => forward(x));
          const out = await y.data();
          y.dispose();
          x.dispose();
          return out;
        },
        dispose() {
          for (const t of [...W.values(), ...dw.values()]) t.dispose();
        },
      };
    },
    // tf.matMul on two resident tensors (B made once, like a weight).
    matmulRunner(n) {
      const a = tf.tensor(inputData(n * n, 7), [n, n]);
      const b = tf.tensor(inputData(n * n, 8), [n, n]);
      return {
        async run() {
          const y = tf.matMul(a, b);
          const out = await y.data();
          y.dispose();
          return out;
        },
        dispose() {
          a.dispose();
          b.dispose();
        },
      };
    },
  };
}

/**
 * The runtime `name` ('webgrad' | 'ort' | 'tfjs'), one thread, as infer_speed.mjs runs them (webgrad's
 * default, `threads: 'auto'`, would take every core).
 */
export async function makeRuntime(name, opts) {
  if (name === 'webgrad') return webgradRuntime(opts.backend, { threads: 1 });
  if (name === 'ort') return ortRuntime();
  if (name === 'tfjs') return tfjsRuntime();
  throw new Error(`unknown framework ${name}`);
}

/**
 * The `webgrad` command line (Node.js):
 *
 *   webgrad predict BUNDLE INPUT [--top-k 3] [--backend auto] [--no-preprocess] [--json]
 *   webgrad predict BUNDLE --text "..." [--text "..."] [--top-k 3] [--backend auto] [--json]
 *   webgrad bench BUNDLE [--backend auto] [--batch 32] [--runs 50] [--warmup 10] [--json]
 *   webgrad backends
 *   webgrad conformance [--vectors tests/vectors] [--backend js,wasm] [--json]
 * @module
 */

import { parseArgs } from 'node:util';
import { WebgradError } from '../errors.js';
import { loadModel } from '../load.js';
import { listBackends } from '../backends/index.js';
import { Tensor } from '../tensor.js';
import { VERSION } from '../version.js';
import { readInputFile } from './read_input.js';
import { conformance, formatMatrix } from './conformance.js';

export const USAGE = `webgrad ${VERSION}: run webgrad web bundles in Node.js

usage:
  webgrad predict BUNDLE INPUT [--top-k 3] [--backend auto] [--no-preprocess] [--json]
      INPUT is .npy (float32/int32/uint8, C order), .json ({"data": [...], "shape": [...]} or nested
      arrays) or .png (8-bit grey/RGB/RGBA, the model's size). Values are raw (e.g. pixels 0-255): the
      bundle's preprocessing is applied unless --no-preprocess. Prints the top-k labels per example.
  webgrad predict BUNDLE --text "what a delightful film" [--text "..."] [--top-k 3] [--backend auto] [--json]
      A text bundle (one with a tokenizer): classifies each text (repeat --text for several, one batch).
  webgrad bench BUNDLE [--backend auto] [--batch 32] [--runs 50] [--warmup 10] [--json]
      Times predict on random input: latency p50/p90/p99 and throughput.
  webgrad backends
      Lists the backends and whether they are available here.
  webgrad conformance [--vectors tests/vectors] [--backend js,wasm,...] [--json]
      Runs the op set's shared test vectors (the repository's tests/vectors/) on each backend (default:
      every registered one) and prints the op x backend matrix of the largest error seen; exit code 1
      when a case fails. Unavailable backends are listed as skipped, with the reason.

exit codes: 0 success; 1 a failed conformance case or an unexpected error; 2 bad usage, or a bad
bundle, input or argument, printed as one line \`error [CODE]: message\` (CODE as in WebgradError).
`;

/**
 * @param {string | undefined} text @param {string} flag @param {number} min
 */
function intOption(text, flag, min) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new WebgradError('EARG', `${flag} must be an integer >= ${min}, got ${text}`);
  return n;
}

/**
 * A WebGPU GPU object for Node.js, from the `webgpu` package (Dawn) when it is installed next to this
 * one; undefined otherwise (webgpu is then reported unavailable, with the reason). Only tried when the
 * webgpu backend may be used, since creating it starts the GPU driver.
 * @param {string} backend the --backend value
 * @returns {Promise<unknown>}
 */
async function nodeGpu(backend) {
  if (!['auto', 'webgpu'].includes(backend) && !backend.split(',').includes('webgpu')) return undefined;
  try {
    const dawn = /** @type {{create: (flags: string[]) => unknown, globals: object}} */ (
      await import(/* webpackIgnore: true */ 'webgpu')
    );
    Object.assign(globalThis, dawn.globals);
    return dawn.create([]);
  } catch {
    return undefined;
  }
}

/**
 * Runs the CLI with `argv` (without node and the script); returns the exit code.
 * @param {string[]} argv
 * @param {{out: (line: string) => void, err: (line: string) => void}} [io]
 * @returns {Promise<number>}
 */
export async function main(argv, io = { out: (l) => console.log(l), err: (l) => console.error(l) }) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'top-k': { type: 'string', default: '3' },
        backend: { type: 'string', default: 'auto' },
        batch: { type: 'string', default: '32' },
        runs: { type: 'string', default: '50' },
        warmup: { type: 'string', default: '10' },
        'no-preprocess': { type: 'boolean', default: false },
        text: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        vectors: { type: 'string', default: 'tests/vectors' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    io.err(`webgrad: ${/** @type {Error} */ (e).message}\n\n${USAGE}`);
    return 2;
  }
  const {
    values: opts,
    positionals: [command, ...rest],
  } = parsed;
  if (opts.version) {
    io.out(VERSION);
    return 0;
  }
  if (opts.help || !command) {
    (opts.help ? io.out : io.err)(USAGE);
    return opts.help ? 0 : 2;
  }
  try {
    if (command === 'predict' && rest.length === 1 && opts.text) return await predict(rest[0], opts.text, opts, io);
    if (command === 'predict' && rest.length === 2 && !opts.text) return await predict(rest[0], rest[1], opts, io);
    if (command === 'bench' && rest.length === 1) return await bench(rest[0], opts, io);
    if (command === 'conformance' && rest.length === 0) {
      const names =
        opts.backend === 'auto' ? (await listBackends()).map((b) => b.name) : String(opts.backend).split(',');
      const m = await conformance(/** @type {string} */ (opts.vectors), names, {
        backendOptions: { gpu: await nodeGpu(String(opts.backend)) },
      });
      io.out(opts.json ? JSON.stringify(m) : formatMatrix(m));
      const bad = names.some((b) => Object.values(m.cells[b]).some((c) => c.status === 'fail' || c.status === 'error'));
      return bad ? 1 : 0;
    }
    if (command === 'backends' && rest.length === 0) {
      for (const b of await listBackends())
        io.out(`${b.name.padEnd(8)} ${b.available ? 'available  ' : 'unavailable'}  ${b.reason}`);
      return 0;
    }
    io.err(`webgrad: unknown command or wrong arguments: ${[command, ...rest].join(' ')}\n\n${USAGE}`);
    return 2;
  } catch (e) {
    return reportError(e, io);
  }
}

/**
 * The one line a failure prints (no stack trace) and the exit code: a WebgradError (a bad bundle, input
 * or argument) is `error [CODE]: message` and exit code 2; anything else exit code 1.
 * @param {unknown} e
 * @param {{err: (line: string) => void}} io
 * @returns {number}
 */
export function reportError(e, io) {
  if (e instanceof WebgradError) {
    io.err(`error [${e.code}]: ${e.message}`);
    return 2;
  }
  io.err(`webgrad: ${e instanceof Error ? e.message : String(e)}`);
  return 1;
}

/**
 * @param {string} bundle @param {string | string[]} input an input file, or the texts of --text
 * @param {Record<string, string | boolean | string[] | undefined>} opts
 * @param {{out: (line: string) => void}} io
 */
async function predict(bundle, input, opts, io) {
  const k = intOption(/** @type {string} */ (opts['top-k']), '--top-k', 1);
  const backend = /** @type {string} */ (opts.backend);
  const model = await loadModel(bundle, { backend, gpu: backend === 'webgpu' ? await nodeGpu(backend) : undefined });
  try {
    const spec = model.signature.inputs[0];
    const raw = typeof input === 'string' ? await readInputFile(input, spec) : input;
    const results = await model.classify(raw, { topK: k, preprocess: !opts['no-preprocess'] });
    const batches = /** @type {import('../classify.js').Prediction[][]} */ (
      Array.isArray(results[0]) ? results : [results]
    );
    if (opts.json) {
      io.out(JSON.stringify({ backend: model.backend, predictions: batches }));
      return 0;
    }
    io.out(`${bundle} on ${model.backend}: ${typeof input === 'string' ? input : `${input.length} text(s)`}`);
    batches.forEach((preds, b) => {
      if (typeof input !== 'string') io.out(`text ${b}: ${JSON.stringify(input[b])}`);
      else if (batches.length > 1) io.out(`example ${b}:`);
      preds.forEach((p, i) =>
        io.out(`  ${i + 1}. ${p.label}  ${(p.probability * 100).toFixed(2)}%  (class ${p.index})`),
      );
    });
    return 0;
  } finally {
    model.dispose();
  }
}

/**
 * @param {string} bundle
 * @param {Record<string, string | boolean | string[] | undefined>} opts
 * @param {{out: (line: string) => void}} io
 */
async function bench(bundle, opts, io) {
  const batch = intOption(/** @type {string} */ (opts.batch), '--batch', 1);
  const runs = intOption(/** @type {string} */ (opts.runs), '--runs', 1);
  const warmup = intOption(/** @type {string} */ (opts.warmup), '--warmup', 0);
  const t0 = performance.now();
  const backend = /** @type {string} */ (opts.backend);
  const model = await loadModel(bundle, { backend, gpu: backend === 'webgpu' ? await nodeGpu(backend) : undefined });
  const loadMs = performance.now() - t0;
  try {
    let seed = 1;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const inputs = model.signature.inputs.map((s) => {
      const shape = s.shape.map((d, i) => (d === null ? (i === 0 ? batch : 1) : d));
      const size = shape.reduce((a, b) => a * b, 1);
      const data = s.dtype === 'float32' ? Float32Array.from({ length: size }, random) : new Int32Array(size);
      return new Tensor(data, shape, /** @type {import('../dtypes.js').DType} */ (s.dtype));
    });
    for (let i = 0; i < warmup; i++) await model.predict(inputs);
    /** @type {number[]} */
    const times = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await model.predict(inputs);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const pct = (/** @type {number} */ p) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)];
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const { weightsBytes, arenaBytes } = model.memory();
    const result = {
      bundle,
      backend: model.backend,
      batch,
      runs,
      warmup,
      loadMs,
      p50: pct(50),
      p90: pct(90),
      p99: pct(99),
      mean,
      throughput: (batch * 1000) / mean,
      weightsBytes,
      arenaBytes,
    };
    if (opts.json) io.out(JSON.stringify(result));
    else {
      io.out(
        `${bundle} on ${model.backend}: batch ${batch}, ${runs} runs after ${warmup} warm-up (load ${loadMs.toFixed(1)} ms)`,
      );
      io.out(
        `latency  p50 ${result.p50.toFixed(3)} ms   p90 ${result.p90.toFixed(3)} ms   p99 ${result.p99.toFixed(3)} ms   mean ${mean.toFixed(3)} ms`,
      );
      io.out(
        `throughput ${result.throughput.toFixed(1)} examples/s; arena ${result.arenaBytes} B, weights ${result.weightsBytes} B`,
      );
    }
    return 0;
  } finally {
    model.dispose();
  }
}

#!/usr/bin/env node
// The text model in the npm runtime (issue 18): per-sentence latency of tokenize + classify at batch 1
// on the wasm backend (one thread), the int8 bundle's size, and the tokenizer chunk's gzipped size (the
// code only a bundle with a tokenizer loads). Never part of the tests; figures in benchmarks/README.md.
//
//   python3 examples/text/sentiment.py --export build/bundles/text/rt_sentiment-int8   # once (or main.sh)
//   node benchmarks/text_runtime.mjs [--bundle DIR] [--runs 2000] [--backend wasm] [--json FILE]
//
// The runtime is imported from js_runtime/src (what dist/ is built from), so the figures are those of
// the current sources; the chunk sizes are of the dist/ build rendered from them (nothing is written).

import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../js_runtime/src/index.js';
import { eagerSet } from '../js_runtime/scripts/build-dist.mjs';
import { parseOptions, quantile } from './_options.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = { latencyMs: 1, bundleBytes: 1024 * 1024, tokenizerChunkGzip: 8 * 1024 };
// Reviews of different lengths (up to past the sequence length: truncated), unknown words included.
const SENTENCES = [
  'A delightful, moving film with a wonderful cast.',
  'Dull, tedious and far too long.',
  'gorgeous',
  'The plot makes no sense, but the actors seem to be having so much fun that it hardly matters.',
  "It's a mess: the dialogue is clunky, the pacing drags and the ending is a cop-out.",
  'Zxqv blorptastic cinematography!!!',
  'An exhilarating, funny and heartfelt ride that never forgets its characters, even when the effects ' +
    'take over the screen and the story races toward a finale that is as loud as it is satisfying, ' +
    'and then keeps going for another twenty minutes nobody asked for.',
  'Not bad.',
];

const options = parseOptions(
  process.argv.slice(2),
  { bundle: path.join(ROOT, 'build', 'bundles', 'text', 'rt_sentiment-int8'), runs: 2000, backend: 'wasm', json: '' },
  { '--bundle': 'bundle', '--runs': 'runs', '--backend': 'backend', '--json': 'json' },
  import.meta.url,
  10,
);

/** The bundle's files' bytes, as stored and gzipped (as a server sends them). */
function bundleBytes(dir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const files = ['model.json', ...manifest.weights.shards.map((s) => s.file)];
  if (manifest.tokenizer) files.push(manifest.tokenizer.file);
  const data = files.map((f) => fs.readFileSync(path.join(dir, f)));
  return {
    raw: data.reduce((n, d) => n + d.length, 0),
    gzip: data.reduce((n, d) => n + zlib.gzipSync(d, { level: 9 }).length, 0),
  };
}

async function main() {
  if (!fs.existsSync(path.join(options.bundle, 'model.json'))) {
    console.error(`no bundle at ${options.bundle}: run python3 examples/text/sentiment.py --export ${options.bundle}`);
    process.exit(2);
  }
  const model = await loadModel(options.bundle, { backend: options.backend });
  for (const s of SENTENCES) await model.classify(s); // warm-up: kernels compiled, memory planned
  const times = [];
  for (let i = 0; i < options.runs; i++) {
    const text = SENTENCES[i % SENTENCES.length];
    const t0 = performance.now();
    model.tokenize(text); // what the page shows (classify tokenizes again, as a caller would)
    await model.classify(text, { topK: 1 });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const latencyMs = quantile(times, 0.5);
  const { lazy, sizes, inputs } = await eagerSet();
  const chunk = lazy.find((f) => (inputs.get(f) ?? []).includes('src/text/tokenizer.js'));
  const results = {
    bundle: path.relative(ROOT, options.bundle),
    backend: model.backend,
    runs: times.length,
    latencyMs,
    latencyP90Ms: quantile(times, 0.9),
    bundleBytes: bundleBytes(options.bundle).raw,
    bundleGzipBytes: bundleBytes(options.bundle).gzip,
    tokenizerChunk: chunk,
    tokenizerChunkGzip: chunk ? sizes.get(chunk).gzip : null,
  };
  model.dispose();
  const mark = (ok) => (ok ? 'met' : 'NOT met');
  console.log(
    `tokenize + classify, batch 1, ${results.backend}, one thread: median ${latencyMs.toFixed(3)} ms ` +
      `(p90 ${results.latencyP90Ms.toFixed(3)} ms) over ${results.runs} runs | target <= 1 ms: ${mark(latencyMs <= TARGETS.latencyMs)}`,
  );
  console.log(
    `int8 bundle ${(results.bundleBytes / 1024).toFixed(0)} KB (model.json + weights + tokenizer.json; ` +
      `${(results.bundleGzipBytes / 1024).toFixed(0)} KB gzipped) | ` +
      `target <= 1 MB: ${mark(results.bundleBytes <= TARGETS.bundleBytes)}`,
  );
  console.log(
    `tokenizer chunk ${chunk} ${results.tokenizerChunkGzip} B gzipped, loaded only for a bundle with a tokenizer | ` +
      `target <= 8 KB: ${mark(chunk && results.tokenizerChunkGzip <= TARGETS.tokenizerChunkGzip)}`,
  );
  console.log(JSON.stringify(results));
  if (options.json) fs.writeFileSync(options.json, JSON.stringify(results, null, 2) + '\n');
}

await main();

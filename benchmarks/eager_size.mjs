#!/usr/bin/env node
// The JavaScript an inference page loads before it runs anything: dist/webgrad.js and every chunk it
// imports statically (what a browser fetches at `import 'webgrad'`), raw and gzipped, with the source
// modules in each. Lazy chunks (the backends' kernels, the training code) are listed apart.
//
//   node benchmarks/eager_size.mjs          a fresh build of js_runtime/src (esbuild, in memory)
//   node benchmarks/eager_size.mjs --dist   the files in js_runtime/dist/ as committed
//   node benchmarks/eager_size.mjs --json   one JSON line instead of the table

import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const { eagerSet } = await import(pathToFileURL(join(ROOT, 'js_runtime', 'scripts', 'build-dist.mjs')).href);

const fromDist = process.argv.includes('--dist');
const { eager, lazy, sizes } = await eagerSet({ fromDist });
const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(1)} KB`;
const total = eager.reduce((s, f) => s + sizes.get(f).gzip, 0);
const raw = eager.reduce((s, f) => s + sizes.get(f).raw, 0);
if (process.argv.includes('--json')) {
  console.log(
    JSON.stringify({ source: fromDist ? 'dist' : 'build', eagerGzipBytes: total, eagerRawBytes: raw, eager, lazy }),
  );
} else {
  console.log(
    `eager set (${fromDist ? 'js_runtime/dist/' : 'fresh build of js_runtime/src/'}): what \`import 'webgrad'\` loads`,
  );
  for (const f of eager)
    console.log(`  ${f.padEnd(40)} ${kb(sizes.get(f).raw).padStart(9)} raw ${kb(sizes.get(f).gzip).padStart(9)} gzip`);
  console.log(`  ${'total'.padEnd(40)} ${kb(raw).padStart(9)} raw ${kb(total).padStart(9)} gzip`);
  console.log('lazy chunks (loaded on first use):');
  for (const f of lazy)
    console.log(`  ${f.padEnd(40)} ${kb(sizes.get(f).raw).padStart(9)} raw ${kb(sizes.get(f).gzip).padStart(9)} gzip`);
}

// dist/'s file references (js_runtime/scripts/build-dist.mjs): every `new URL(literal, import.meta.url)` in
// a built file names a file the package ships (a .wasm under wasm/, a worker script under dist/workers/),
// relative to where the built file lands; worker scripts are self-contained (a bundler downstream emits
// them as they are); a page that only imports the package loads neither the workers nor the thread pool.
// Checked on a fresh build in memory, so these hold whatever the state of the committed dist/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import { RUNTIME } from './_helpers.mjs';
import { eagerSet, filesFor, renderWithMeta } from '../../js_runtime/scripts/build-dist.mjs';

const FILE_URL = /new URL\(\s*(["'`])([^"'`]+)\1\s*,\s*import\.meta\.url\s*\)/g;
const { files, outputs } = await renderWithMeta();

/** Every `new URL(literal, import.meta.url)` of dist/: [built file, literal, package path it names]. */
const references = [...files].flatMap(([file, text]) =>
  [...text.matchAll(FILE_URL)].map((m) => [file, m[2], posix.normalize(posix.join('dist', posix.dirname(file), m[2]))]),
);

test('every file a built module names by new URL(…, import.meta.url) is shipped, at that relative path', () => {
  const wasm = references.filter(([, , path]) => path.endsWith('.wasm'));
  assert.ok(wasm.length >= 2, `the wasm glue names its .wasm files: ${JSON.stringify(references)}`);
  for (const [file, literal, path] of references) {
    assert.ok(literal.startsWith('./') || literal.startsWith('../'), `${file}: ${literal} is relative`);
    const shipped = path.startsWith('dist/') ? files.has(path.slice('dist/'.length)) : existsSync(join(RUNTIME, path));
    assert.ok(shipped, `${file} names ${literal} (${path}), which the package does not ship`);
    assert.ok(path.startsWith('wasm/') || path.startsWith('dist/workers/'), `${path}: only .wasm and workers`);
  }
});

test('worker scripts are self-contained files under dist/workers/, named from the chunk that starts them', () => {
  const workers = [...files.keys()].filter((f) => f.startsWith('workers/'));
  for (const w of workers) {
    const text = /** @type {string} */ (files.get(w));
    assert.doesNotMatch(text, /\bimport\s*[\w{*"']|\bfrom\s*["']\.|\bimport\(\s*["']\./, `${w} imports nothing`);
    assert.ok(
      references.some(([file, , path]) => path === `dist/${w}` && !file.startsWith('workers/')),
      `${w} is named by a module of the package`,
    );
  }
  // the thread pool's worker, once the wasm backend has one (issue 17)
  const pool = [...outputs].filter(([, o]) => o.inputs.some((i) => i.startsWith('src/backends/wasm/threads/')));
  if (pool.length) assert.ok(workers.length >= 1, 'the thread pool ships its worker script');
});

test('importing the package starts no worker and loads no worker script (only using threads does)', async () => {
  const { eager } = await eagerSet();
  for (const f of eager) {
    assert.ok(!f.startsWith('workers/'), `${f} is in the eager set`);
    const text = /** @type {string} */ (files.get(f));
    assert.ok(!/new Worker\(|worker_threads/.test(text), `${f} (eager) holds the code that starts workers`);
  }
});

test('a single-threaded page on the wasm backend loads at most 60 KB of JavaScript, gzipped, and no thread code', async () => {
  // the entry, the wasm glue's kernel chunk and their static imports (build-dist.mjs filesFor): each file
  // gzipped on its own, as a browser fetches them; the .wasm itself is held to its own limit
  // (tests/test_wasm_build.py) and the threaded build and worker load only when threads are used
  const page = await filesFor('wasm');
  const bytes = page.reduce(
    (s, f) => s + gzipSync(Buffer.from(/** @type {string} */ (files.get(f))), { level: 9 }).length,
    0,
  );
  assert.ok(bytes <= 60 * 1024, `a wasm page loads ${bytes} bytes of JS gzipped (${page.join(', ')}), over 60 KB`);
  for (const f of page) {
    assert.ok(!f.startsWith('workers/'), `${f}: a worker script in what a single-threaded page loads`);
    assert.ok(!/new Worker\(|worker_threads/.test(/** @type {string} */ (files.get(f))), `${f} starts workers`);
  }
});

// The npm package itself: package.json, the generated op set, dist/ and .d.ts files are current, `npm pack`
// ships only what is needed, the built entry runs models exactly like src/, the browser-facing modules import nothing from Node at load time, and
// the lock file names no registry host.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { RUNTIME } from './_helpers.mjs';
import { VERSION } from '../../js_runtime/src/index.js';
import { SOURCE, TARGET, render, targets } from '../../js_runtime/scripts/gen-opset.mjs';
import { eagerSet, renderWithMeta, stale as distStale } from '../../js_runtime/scripts/build-dist.mjs';
import { GRAD_OPS } from '../../js_runtime/src/grad_opset.js';
import { ALIAS_OPS } from '../../js_runtime/src/executor.js';
import { BANNER, buildTypes } from '../../js_runtime/scripts/build-types.mjs';

const pkg = JSON.parse(readFileSync(join(RUNTIME, 'package.json'), 'utf8'));

/** Every file under `dir`, relative to it. */
function walk(dir, root = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), root) : [relative(root, join(dir, e.name))],
  );
}

test('package.json: ESM, exports with types, bin, files whitelist, no runtime dependencies', () => {
  assert.equal(pkg.name, 'webgrad');
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.version, VERSION, 'src/version.js matches package.json');
  assert.deepEqual(pkg.exports['.'], { types: './types/index.d.ts', import: './dist/webgrad.js' });
  assert.equal(pkg.main, './dist/webgrad.js');
  assert.equal(pkg.exports['./package.json'], './package.json');
  assert.deepEqual(pkg.bin, { webgrad: 'bin/webgrad.js' });
  assert.deepEqual(pkg.files, ['dist/', 'src/', 'types/', 'bin/', 'wasm/*.wasm', 'README.md']);
  assert.equal(pkg.dependencies, undefined);
  assert.deepEqual(Object.keys(pkg.devDependencies).sort(), [
    '@types/node',
    'esbuild',
    'prettier',
    'typescript',
    'webgpu',
  ]);
  for (const v of Object.values(pkg.devDependencies)) assert.match(v, /^\d+\.\d+\.\d+$/, 'exact versions');
  const lock = readFileSync(join(RUNTIME, 'package-lock.json'), 'utf8');
  assert.doesNotMatch(lock, /"resolved"|https?:\/\//, 'the lock file names no registry host');
});

test('src/opset.js is generated from exporter/opset.json and current', () => {
  assert.equal(
    readFileSync(TARGET, 'utf8'),
    render(readFileSync(SOURCE, 'utf8')),
    'stale: run `npm run gen:opset` in js_runtime/',
  );
});

test('src/opset.js and src/grad_opset.js (gen-opset --check) are current', () => {
  for (const [target, text] of targets())
    assert.equal(readFileSync(target, 'utf8'), text, `${target} is stale: run \`npm run gen:opset\` in js_runtime/`);
});

test('importing the package loads no training code: it is one lazy chunk that loadModel({trainable: true}) imports', async () => {
  const { eager, lazy, inputs } = await eagerSet();
  const { files } = await renderWithMeta();
  const gradOps = ['src/grad_opset.js', 'src/grad_shape_rules.js'];
  // src/train/check_loss_graph.js is a small lazy chunk of its own (a plain load of a trainable bundle checks it)
  const isTraining = (/** @type {string} */ i) =>
    (i.startsWith('src/train/') && i !== 'src/train/check_loss_graph.js') || gradOps.includes(i);
  const eagerInputs = eager.flatMap((f) => inputs.get(f) ?? []);
  assert.ok(eagerInputs.includes('src/load.js') && eagerInputs.includes('src/model.js'), 'the eager set is found');
  assert.deepEqual(
    eagerInputs.filter((i) => i.startsWith('src/train/') || gradOps.includes(i)),
    [],
    'no training module is loaded by `import "webgrad"`',
  );
  // by its text too: no gradient op's name (the alias ReshapeLike is the executor's to know)
  const markers = Object.keys(GRAD_OPS).filter((op) => !ALIAS_OPS.has(op));
  for (const f of eager)
    for (const op of markers) assert.ok(!files.get(f).includes(op), `${f} (eager) mentions the gradient op ${op}`);
  const chunks = lazy.filter((f) => (inputs.get(f) ?? []).some(isTraining));
  assert.equal(chunks.length, 1, `the training code is one lazy chunk, got ${chunks.join(', ')}`);
  for (const m of ['autodiff', 'trainer', 'fit', 'optimizers', 'to_bundle', 'vjp/index'])
    assert.ok(inputs.get(chunks[0]).includes(`src/train/${m}.js`), `${m} is in ${chunks[0]}`);
});

test('dist/ (the package entry, minified with lazily loaded kernel chunks) is what `npm run build:dist` makes from src/', async () => {
  assert.deepEqual(await distStale(), [], 'stale dist/: run `npm run build:dist` in js_runtime/');
});

test('the built entry (dist/) gives the same bits as src/ on js and wasm, and finds its .wasm', async () => {
  const { fixturesDir } = await import('./_helpers.mjs');
  const { pathToFileURL } = await import('node:url');
  const built = await import(pathToFileURL(join(RUNTIME, pkg.exports['.'].import)).href);
  const src = await import('../../js_runtime/src/index.js');
  const dir = join(fixturesDir(), 'cnn-float32');
  const x = Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => ((i * 7919) % 256) / 255);
  for (const backend of ['js', 'wasm']) {
    const a = await built.loadModel(dir, { backend });
    const b = await src.loadModel(dir, { backend });
    assert.equal(a.backend, backend);
    const ya = await (await a.predict(built.tensor(x, [2, 28, 28, 1]))).data();
    const yb = await (await b.predict(src.tensor(x, [2, 28, 28, 1]))).data();
    assert.deepEqual(Array.from(ya), Array.from(yb), `${backend}: dist and src agree bit for bit`);
    a.dispose();
    b.dispose();
  }
});

test('browser-facing modules import nothing from node: at load time (only src/cli/ does)', () => {
  for (const file of walk(join(RUNTIME, 'src'))) {
    if (file.startsWith('cli')) continue;
    const text = readFileSync(join(RUNTIME, 'src', file), 'utf8');
    assert.doesNotMatch(text, /^import [^;]*from ['"]node:/m, `${file} imports a node: module statically`);
  }
});

test('types/ (shipped .d.ts) is what `npm run build:types` makes from src/', (t) => {
  const tsc = join(RUNTIME, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    t.skip('typescript is not installed: run `npm ci` in js_runtime/');
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'webgrad-types-'));
  buildTypes(out);
  const fresh = walk(out).sort();
  assert.deepEqual(
    walk(join(RUNTIME, 'types')).sort(),
    fresh,
    'stale types/: run `npm run build:types` in js_runtime/',
  );
  for (const f of fresh) {
    assert.ok(readFileSync(join(RUNTIME, 'types', f), 'utf8').startsWith(BANNER), `types/${f} is marked generated`);
    assert.equal(
      readFileSync(join(RUNTIME, 'types', f), 'utf8'),
      readFileSync(join(out, f), 'utf8'),
      `types/${f} is stale: run \`npm run build:types\``,
    );
  }
});

test('npm pack ships dist/, src/, types/, bin/, the four .wasm modules, README.md and package.json only', () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const json = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: RUNTIME,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const files = JSON.parse(json)[0].files.map((f) => f.path);
  for (const need of [
    'dist/webgrad.js',
    'src/index.js',
    'src/opset.js',
    'src/backends/js/kernels/MatMul.js',
    'src/backends/wasm/index.js',
    'wasm/webgrad-simd.wasm',
    'wasm/webgrad-relaxed.wasm',
    'wasm/webgrad-simd-threads.wasm',
    'wasm/webgrad-relaxed-threads.wasm',
    'types/index.d.ts',
    'bin/webgrad.js',
    'README.md',
    'package.json',
  ]) {
    assert.ok(files.includes(need), `${need} is packed`);
  }
  const extra = files.filter(
    (f) =>
      !/^(dist|src|types|bin)\//.test(f) &&
      ![
        'README.md',
        'package.json',
        'wasm/webgrad-simd.wasm',
        'wasm/webgrad-relaxed.wasm',
        'wasm/webgrad-simd-threads.wasm',
        'wasm/webgrad-relaxed-threads.wasm',
      ].includes(f),
  );
  assert.deepEqual(extra, [], 'nothing else is packed');
});

test("the README's quick start runs as written (on the fixture CNN)", async () => {
  const { fixturesDir } = await import('./_helpers.mjs');
  const { pathToFileURL } = await import('node:url');
  const { writeFileSync } = await import('node:fs');
  const readme = readFileSync(join(RUNTIME, 'README.md'), 'utf8');
  const block = /## Quick start\s+```js\n([\s\S]*?)```/.exec(readme)[1];
  const script = block
    .replace("from 'webgrad'", `from '${pathToFileURL(join(RUNTIME, pkg.exports['.'].import)).href}'`)
    .replace("'bundles/mnist'", JSON.stringify(join(fixturesDir(), 'cnn-float32')));
  const file = join(mkdtempSync(join(tmpdir(), 'webgrad-readme-')), 'quickstart.mjs');
  writeFileSync(file, script);
  const out = execFileSync(process.execPath, [file], { encoding: 'utf8' });
  assert.match(out, /^wasm - auto: picked 'wasm'/m);
  assert.match(out, /\[ 2, 10 \]/);
  assert.match(out, /label: '\d'/);
  assert.match(out, /weightsBytes: \d+/);
});

#!/usr/bin/env node
// Checks every WebGPU program's named uniforms against the `struct Params` of every shader key it uses
// (run by build.py after writing shaders.generated.js, and by build.py --check): the samples of
// uniform_samples.mjs are run through the programs as written (DECLARED_PROGRAMS) and each pass's
// uniforms go through checkUniforms (programs/uniforms.js, the check the runtime makes when it packs).
// Fails when a program declares a field missing from, extra to, out of order in or typed differently
// from its shader's struct, when a pass's shader has no layout, or when a shader key is reached by no
// sample (so every key is checked).
//
//   node webgpu_shaders/check_uniforms.mjs [--layouts FILE.json] [--program OP=FILE.js]... [--list]
//
// --layouts: layouts by shader key (build.py's layouts_of) instead of shaders.generated.js's PARAMS;
// --program: OP's program taken from the `program` export of FILE.js; --list: print which shader keys
// each program uses. Exit 1 with one line per problem on stderr.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OPSET } from '../js_runtime/src/opset.js';
import { inferNode } from '../js_runtime/src/shape_rules.js';
import { DECLARED_PROGRAMS } from '../js_runtime/src/backends/webgpu/programs/index.js';
import { checkUniforms } from '../js_runtime/src/backends/webgpu/programs/uniforms.js';
import { PARAMS } from '../js_runtime/src/backends/webgpu/shaders.generated.js';
import { SAMPLES } from './uniform_samples.mjs';

// WebGPU's guaranteed minimums: every sample runs under them.
const LIMITS = {
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeWorkgroupSizeX: 256,
  maxComputeInvocationsPerWorkgroup: 256,
  maxStorageBufferBindingSize: 134217728,
  maxComputeWorkgroupStorageSize: 16384,
};

/** @type {Record<string, import('../js_runtime/src/backends/webgpu/programs/uniforms.js').ParamsLayout>} */
let layouts = { ...PARAMS };
/** @type {Record<string, import('../js_runtime/src/backends/webgpu/programs/_types.js').Program>} */
const programs = { ...DECLARED_PROGRAMS };
let list = false;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--layouts') layouts = JSON.parse(readFileSync(argv[++i], 'utf8'));
  else if (argv[i] === '--list') list = true;
  else if (argv[i] === '--program') {
    const [op, file] = argv[++i].split('=');
    programs[op] = (await import(pathToFileURL(path.resolve(file)).href)).program;
  } else {
    console.error(`check_uniforms: unknown argument ${argv[i]} (--layouts FILE, --program OP=FILE, --list)`);
    process.exit(2);
  }
}

/** @type {string[]} */
const problems = [];
/** @type {Record<string, Set<string>>} */
const used = {};
for (const [op, program] of Object.entries(programs)) {
  used[op] = new Set();
  const samples = SAMPLES[op];
  if (!samples) {
    problems.push(`program '${op}' has no sample in webgpu_shaders/uniform_samples.mjs, so its uniforms are unchecked`);
    continue;
  }
  samples.forEach(([inputs, given = {}], s) => {
    const spec = OPSET.ops[op];
    const attrs = Object.fromEntries(
      Object.entries(spec.attrs).map(([name, a]) => [name, name in given ? given[name] : a.default]),
    );
    try {
      const output = inferNode(
        op,
        inputs.map((x) => x && x.shape),
        inputs.map((x) => x && x.dtype),
        attrs,
      );
      for (const pass of program({ inputs, attrs, output: /** @type {any} */ (output), limits: LIMITS })) {
        used[op].add(pass.shader);
        const layout = Object.prototype.hasOwnProperty.call(layouts, pass.shader) ? layouts[pass.shader] : undefined;
        checkUniforms(layout, pass.uniforms, { program: op, shader: pass.shader });
      }
    } catch (e) {
      problems.push(`${op} sample ${s}: ${/** @type {Error} */ (e).message}`);
    }
  });
}
const reached = new Set(Object.values(used).flatMap((keys) => [...keys]));
for (const key of Object.keys(layouts)) {
  if (!reached.has(key))
    problems.push(
      `shader '${key}' is used by no program sample, so its Params are unchecked: add a sample to webgpu_shaders/uniform_samples.mjs`,
    );
}
if (list) for (const [op, keys] of Object.entries(used)) console.log(`${op}: ${[...keys].sort().join(' ')}`);
if (problems.length) {
  console.error(`uniforms do not match the shaders' struct Params (${problems.length}):\n${problems.join('\n')}`);
  process.exit(1);
}

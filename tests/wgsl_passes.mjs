// Prints the WebGPU passes the JS programs make, for the wgpu-py kernel tests (tests/test_wgsl_kernels.py),
// so that Python never restates dispatch logic.
//
// stdin: {"requests": [{"id", "op", "inputs": [{shape, dtype} | null], "attrs", "output": {shape, dtype},
//          "limits"?: {...}}]}
// stdout: {"shaders": {key: wgsl} (all of SHADERS), "results": [{"id", "passes"} | {"id", "error", "code"}]}
// A pass's uniforms are base64. Limits default to WebGPU's guaranteed minimums; a request may lower them.
import { readFileSync } from 'node:fs';
import { PROGRAMS } from '../js_runtime/src/backends/webgpu/programs/index.js';
import { SHADERS } from '../js_runtime/src/backends/webgpu/shaders.generated.js';

const DEFAULT_LIMITS = {
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeWorkgroupSizeX: 256,
  maxComputeInvocationsPerWorkgroup: 256,
  maxStorageBufferBindingSize: 134217728,
  maxComputeWorkgroupStorageSize: 16384,
};

const { requests } = JSON.parse(readFileSync(0, 'utf8'));
const results = requests.map((/** @type {any} */ r) => {
  const program = PROGRAMS[r.op];
  if (!program) return { id: r.id, error: `no program for ${r.op}`, code: 'ENOPROGRAM' };
  try {
    const passes = program({
      inputs: r.inputs,
      attrs: r.attrs,
      output: r.output,
      limits: { ...DEFAULT_LIMITS, ...r.limits },
    });
    for (const p of passes) {
      if (!(p.shader in SHADERS)) throw new Error(`${r.op}: shader ${p.shader} is not in SHADERS`);
    }
    return {
      id: r.id,
      passes: passes.map((p) => ({ ...p, uniforms: Buffer.from(p.uniforms).toString('base64') })),
    };
  } catch (/** @type {any} */ e) {
    return { id: r.id, error: String(e.message), code: e.code ?? 'EXCEPTION' };
  }
});
process.stdout.write(JSON.stringify({ shaders: SHADERS, results }));

// Shared by the webgpu node tests and the Chromium page (tests/test_webgpu_chromium.py): which ops
// the webgpu backend is excused from (ONE list, with the reason), and how one op vector case runs
// through the executor and the webgpu runner. Environment-neutral: Node-only parts are imported
// dynamically inside nodeGpu().

import { Executor } from '../../js_runtime/src/executor.js';
import { Tensor } from '../../js_runtime/src/tensor.js';

/** Ops of the op set with no webgpu program yet, and why. A coverage test fails on any other gap. */
// (empty: every op of the op set has a program; an entry reads `Op: 'why it has none'`)
export const EXCLUDED = Object.freeze({});

/** Ops the executor runs as views (no program needed). */
export const VIEW_OPS = Object.freeze(['Reshape', 'Flatten']);

/**
 * Runs one vector case on `backend` (a webgpu backend instance): a one-node graph whose inputs are all
 * graph inputs, through the executor (plan, placement, one submission) and read back.
 * @param {object} backend
 * @param {string} op
 * @param {object} c the case: {name, attrs}
 * @param {({shape, dtype, data} | null)[]} inputs decoded, trailing absent optional inputs dropped
 * @param {{shape: number[], dtype: string}} out the expected output's shape and dtype
 * @returns {Promise<{shape: readonly number[], dtype: string, data: ArrayLike<number>}>}
 */
export async function runCase(backend, op, c, inputs, out) {
  const names = inputs.map((t, i) => (t === null ? '' : `x${i}`));
  const graph = {
    inputs: inputs.flatMap((t, i) => (t === null ? [] : [{ name: names[i], dtype: t.dtype, shape: t.shape }])),
    outputs: [{ name: 'y', dtype: out.dtype, shape: out.shape }],
    nodes: [{ name: `${op}/${c.name}`, op, inputs: names, outputs: ['y'], attrs: c.attrs }],
  };
  const executor = new Executor(graph, new Map(), backend);
  try {
    const [y] = executor.run(inputs.filter((t) => t !== null).map((t) => new Tensor(t.data, t.shape, t.dtype)));
    return { shape: y.shape, dtype: y.dtype, data: await y.data() };
  } finally {
    executor.dispose();
  }
}

/**
 * A WebGPU GPU object in Node (npm `webgpu`, Dawn) on the SwiftShader Vulkan driver Debian's chromium
 * ships; null with the reason when there is no adapter.
 * @returns {Promise<{gpu: object | null, reason: string}>}
 */
export async function nodeGpu() {
  const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
  const { existsSync } = await import('node:fs');
  if (!process.env.VK_ICD_FILENAMES && existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD; // before create()
  let mod;
  try {
    mod = await import(new URL('../../js_runtime/node_modules/webgpu/index.js', import.meta.url).href); // a devDependency of js_runtime
  } catch (e) {
    return { gpu: null, reason: `npm package 'webgpu' not installed: ${e.message}` };
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter)
    return { gpu: null, reason: `no WebGPU adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'})` };
  return { gpu, reason: `adapter ${adapter.info?.description ?? ''}` };
}

/**
 * A GPU object wrapping `gpu` that records what the runtime does with the devices it opens: `devices`
 * (to destroy one in a test) and call counts of the device and queue methods that matter
 * (createComputePipeline, createBindGroup, createBuffer, writeBuffer, submit, mapAsync). `fallback`
 * overrides the adapter's isFallbackAdapter (to show `auto` a hardware-looking adapter).
 * @param {object} gpu
 * @param {{fallback?: boolean}} [options]
 */
export function spyGpu(gpu, { fallback } = {}) {
  const devices = [];
  const counts = {
    createComputePipeline: 0,
    createBindGroup: 0,
    createBuffer: 0,
    writeBuffer: 0,
    submit: 0,
    mapAsync: 0,
  };
  const count = (target, name) => {
    const fn = target[name].bind(target);
    target[name] = (...args) => {
      counts[name]++;
      return fn(...args);
    };
  };
  const wrapper = {
    async requestAdapter(options) {
      const adapter = await gpu.requestAdapter(options);
      if (!adapter) return null;
      const info = adapter.info;
      const described = {
        vendor: info.vendor,
        architecture: fallback === false ? 'test-hardware' : info.architecture,
        description: fallback === false ? 'adapter presented as hardware by the test' : info.description,
        isFallbackAdapter: fallback ?? info.isFallbackAdapter,
      };
      return {
        limits: adapter.limits,
        features: adapter.features,
        info: described,
        isFallbackAdapter: described.isFallbackAdapter,
        async requestDevice(descriptor) {
          const device = await adapter.requestDevice(descriptor);
          devices.push(device);
          for (const name of ['createComputePipeline', 'createBindGroup']) count(device, name);
          const createBuffer = device.createBuffer.bind(device);
          device.createBuffer = (d) => {
            counts.createBuffer++;
            const b = createBuffer(d);
            const map = b.mapAsync.bind(b);
            b.mapAsync = (...args) => {
              counts.mapAsync++;
              return map(...args);
            };
            return b;
          };
          count(device.queue, 'writeBuffer');
          count(device.queue, 'submit');
          return device;
        },
      };
    },
  };
  return { gpu: wrapper, devices, counts };
}

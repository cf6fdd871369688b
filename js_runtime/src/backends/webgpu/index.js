/**
 * The `webgpu` backend: WGSL kernels (webgpu_shaders/, rendered into shaders.generated.js) run through
 * per-op programs (programs/) on a WebGPU device from `navigator.gpu` or the `gpu` option. The
 * executor hands it whole plans (`runner`, see runner.js): weights are uploaded once, tensors live in
 * one device arena placed by the executor's liveness plan, each predict is one submission, and outputs
 * stay on the device until `await tensor.data()`.
 *
 * `auto` passes over a software adapter (SwiftShader, a fallback adapter): wasm runs the same CPU
 * faster there. Asking for `backend: 'webgpu'` uses it anyway.
 *
 * One device per GPU object, shared by the models made from it (like a page's one device): pipelines
 * are compiled once for all of them (a tiled MatMul takes ~0.8 s to compile on SwiftShader). A model's
 * dispose frees its buffers; the device stays for the next model, until it is lost (then the next
 * model opens a new one).
 * @module
 */

import { WebgradError } from '../../errors.js';
import { describeAdapter, effectiveLimits, findGpu, requestAdapter, requestDevice } from './gpu.js';
import { GpuRunner } from './runner.js';
import { PipelineCache } from './pipelines.js';

/** @typedef {import('../interface.js').Backend} Backend */
/** @typedef {import('../interface.js').BackendFactory} BackendFactory */
/** @typedef {import('../interface.js').BackendOptions} BackendOptions */
/** @typedef {import('../interface.js').Availability} Availability */
/** @typedef {import('./compile.js').Program} Program */
/** @typedef {{programs: Readonly<Record<string, Program>>, shaders: Readonly<Record<string, string>>}} GpuKernels */

/** @type {Promise<GpuKernels | string> | null} */
let kernelsLoad = null;

/**
 * The programs and shaders of this package, imported on first use (so a page that never uses WebGPU
 * never loads them); a reason when they are missing.
 * @returns {Promise<GpuKernels | string>}
 */
export function loadKernels() {
  kernelsLoad ??= Promise.all([import('./programs/index.js'), import('./shaders.generated.js')]).then(
    ([p, s]) => ({ programs: /** @type {any} */ (p).PROGRAMS, shaders: /** @type {any} */ (s).SHADERS }),
    (e) =>
      `the WebGPU kernels are not part of this build of the package (${/** @type {Error} */ (e).message.split('\n')[0]})`,
  );
  return kernelsLoad;
}

/** @type {WeakMap<object, Promise<Availability>>} availability per GPU object (an adapter probe each time is wasteful) */
const probes = new WeakMap();

/**
 * Whether webgpu can run here: a GPU object, an adapter, the kernels; `avoidForAuto` on a software adapter.
 * @param {BackendOptions} [options]
 * @returns {Promise<Availability>}
 */
export async function webgpuAvailability(options = {}) {
  const found = findGpu(options);
  if (!found.gpu) return { available: false, reason: found.reason };
  const kernels = await loadKernels();
  if (typeof kernels === 'string') return { available: false, reason: kernels };
  const gpu = found.gpu;
  let probe = probes.get(gpu);
  if (!probe) {
    probe = requestAdapter(gpu).then(({ adapter, reason }) => {
      if (!adapter) return { available: false, reason: /** @type {string} */ (reason) };
      const { name, software } = describeAdapter(adapter);
      /** @type {Availability} */
      const a = { available: true, reason: `WebGPU adapter: ${name}` };
      if (software)
        a.avoidForAuto = `software adapter (${name}): it runs on the CPU, where wasm is faster; ask for backend 'webgpu' to use it anyway`;
      return a;
    });
    probes.set(gpu, probe);
  }
  return probe;
}

/**
 * @typedef {{device: import('./types.js').GPUDevice, name: string, software: boolean,
 *   caches: WeakMap<object, PipelineCache>}} SharedDevice
 */

/** @type {WeakMap<object, Promise<SharedDevice>>} the open device of each GPU object */
const devices = new WeakMap();

/**
 * The device of `gpu`, opened on first use and shared until it is lost; EBACKEND when there is no adapter.
 * @param {import('./types.js').GPU} gpu
 * @returns {Promise<SharedDevice>}
 */
function sharedDevice(gpu) {
  let entry = devices.get(gpu);
  if (entry) return entry;
  const opening = (async () => {
    const { adapter, reason } = await requestAdapter(gpu);
    if (!adapter) throw new WebgradError('EBACKEND', `backend 'webgpu' is not available here: ${reason}`);
    const device = await requestDevice(adapter);
    device.lost.then(() => {
      if (devices.get(gpu) === opening) devices.delete(gpu);
    });
    return { device, ...describeAdapter(adapter), caches: new WeakMap() };
  })();
  entry = opening;
  devices.set(gpu, entry);
  entry.catch(() => devices.delete(gpu)); // a failed open is retried by the next model
  return entry;
}

/** @type {BackendFactory} */
export const webgpuBackend = {
  description: 'WebGPU compute shaders (WGSL) on navigator.gpu or the gpu option',
  available: (options) => webgpuAvailability(options),
  create: async (options = {}) => {
    const kernels = await loadKernels();
    if (typeof kernels === 'string')
      throw new WebgradError('EBACKEND', `backend 'webgpu' is not available here: ${kernels}`);
    return createWebgpuBackend(options, kernels);
  },
};

/**
 * A fresh instance on the GPU object's shared device, running `kernels` (the package's, or a test's own).
 * @param {BackendOptions} options `gpu`, `webgpuLimits`, `onDeviceLost`
 * @param {GpuKernels} kernels
 * @returns {Promise<Backend>}
 */
export async function createWebgpuBackend(options, kernels) {
  const found = findGpu(options);
  if (!found.gpu) throw new WebgradError('EBACKEND', `backend 'webgpu' is not available here: ${found.reason}`);
  const { device, name, software, caches } = await sharedDevice(found.gpu);
  const limits = effectiveLimits(device.limits, options.webgpuLimits);
  let pipelines = caches.get(kernels.shaders);
  if (!pipelines) {
    pipelines = new PipelineCache(device, kernels.shaders);
    caches.set(kernels.shaders, pipelines);
  }
  const runner = new GpuRunner(device, limits, kernels.programs, pipelines);
  device.lost.then((/** @type {{reason: string, message: string}} */ info) => {
    if (runner.disposed) return;
    runner.lost = `${info.reason === 'destroyed' ? 'destroyed' : 'lost'}${info.message ? `: ${info.message}` : ''}`;
    options.onDeviceLost?.(runner.lost);
  });
  const capped = options.webgpuLimits ? `; limits capped: ${JSON.stringify(options.webgpuLimits)}` : '';
  return {
    name: 'webgpu',
    detail: `${name}${software ? ' (software adapter)' : ''}${capped}`,
    kernels: {},
    runner,
    lostReason: () => runner.lost,
    prepareWeights(weights) {
      runner.uploadWeights(weights);
      return weights; // kept on the CPU as well: the model moves to wasm with them if the device is lost
    },
    allocateArena() {
      throw new WebgradError(
        'EBACKEND',
        'webgpu: the executor arena is not used; the runner places tensors in device memory',
      );
    },
    releaseArena() {},
    weightsBytes: () => runner.weightBytes,
    deviceBytes: () => runner.deviceBytes(),
    dispose() {
      runner.dispose();
    },
  };
}

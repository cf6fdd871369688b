/**
 * Finding a WebGPU adapter and opening a device: from the `gpu` object passed in the options (Node:
 * `create([])` of the `webgpu` package) or from `navigator.gpu`, with a reason either way. Also the
 * limits the programs and the runtime use: the device's, capped by the `webgpuLimits` option (tests
 * lower them to reach the over-limit paths; a device cannot be asked for lower limits than the
 * defaults).
 * @module
 */

import { WebgradError } from '../../errors.js';

/** @typedef {import('./types.js').GPU} GPU */
/** @typedef {import('./types.js').GPUAdapter} GPUAdapter */
/** @typedef {import('./types.js').GPUDevice} GPUDevice */

/** The limits the programs and the runtime read (README.md of webgpu_shaders/), raised to the adapter's maximum. */
export const LIMIT_NAMES = Object.freeze([
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'minStorageBufferOffsetAlignment',
  'minUniformBufferOffsetAlignment',
]);

/** Limits where smaller is the stricter value (alignments are the other way round and cannot be capped). */
const CAPPABLE = new Set(LIMIT_NAMES.filter((n) => n.startsWith('max')));

/**
 * The GPU object to use: `options.gpu`, else `navigator.gpu`; a reason when there is none.
 * @param {{gpu?: unknown}} options
 * @returns {{gpu: GPU, reason?: undefined} | {gpu: null, reason: string}}
 */
export function findGpu(options) {
  if (options.gpu !== undefined && options.gpu !== null) {
    const gpu = /** @type {GPU} */ (options.gpu);
    if (typeof gpu.requestAdapter !== 'function')
      return { gpu: null, reason: 'the gpu option is not a GPU object (it has no requestAdapter())' };
    return { gpu };
  }
  const nav = /** @type {{gpu?: GPU} | undefined} */ (/** @type {any} */ (globalThis).navigator);
  if (nav?.gpu) return { gpu: nav.gpu };
  return {
    gpu: null,
    reason: "no WebGPU here: navigator.gpu is missing (in Node.js pass {gpu: create([])} from the 'webgpu' package)",
  };
}

/**
 * Asks `gpu` for an adapter; a reason when it gives none or fails.
 * @param {GPU} gpu
 * @returns {Promise<{adapter: GPUAdapter, reason?: undefined} | {adapter: null, reason: string}>}
 */
export async function requestAdapter(gpu) {
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter)
      return { adapter: null, reason: 'no WebGPU adapter: requestAdapter() returned null (no usable GPU or driver)' };
    return { adapter };
  } catch (e) {
    return { adapter: null, reason: `the WebGPU adapter request failed: ${/** @type {Error} */ (e).message}` };
  }
}

/**
 * One line naming the adapter, and whether it is a software one (a CPU rasterizer such as SwiftShader
 * or a fallback adapter).
 * @param {GPUAdapter} adapter
 * @returns {{name: string, software: boolean}}
 */
export function describeAdapter(adapter) {
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
  const software = Boolean(
    adapter.isFallbackAdapter || info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|software/i.test(name),
  );
  return { name, software };
}

/**
 * Opens a device with the adapter's maximum for the limits the backend uses.
 * @param {GPUAdapter} adapter
 * @returns {Promise<GPUDevice>}
 */
export async function requestDevice(adapter) {
  /** @type {Record<string, number>} */
  const requiredLimits = {};
  for (const name of LIMIT_NAMES)
    if (CAPPABLE.has(name) && adapter.limits[name] !== undefined) requiredLimits[name] = adapter.limits[name];
  try {
    return await adapter.requestDevice({ requiredLimits });
  } catch (e) {
    throw new WebgradError('EBACKEND', `backend 'webgpu': requestDevice failed: ${/** @type {Error} */ (e).message}`, {
      cause: e,
    });
  }
}

/**
 * The limits programs and the runtime use: the device's, each capped by `caps` (the `webgpuLimits`
 * option). An unknown name or a non-positive value is EARG.
 * @param {Record<string, number>} deviceLimits
 * @param {Record<string, number> | undefined} caps
 * @returns {Readonly<Record<string, number>>}
 */
export function effectiveLimits(deviceLimits, caps) {
  /** @type {Record<string, number>} */
  const limits = {};
  for (const name of LIMIT_NAMES) limits[name] = deviceLimits[name];
  for (const [name, value] of Object.entries(caps ?? {})) {
    if (!CAPPABLE.has(name))
      throw new WebgradError(
        'EARG',
        `webgpuLimits: ${JSON.stringify(name)} cannot be capped; one of ${[...CAPPABLE].join(', ')}`,
      );
    if (!Number.isInteger(value) || value < 1)
      throw new WebgradError('EARG', `webgpuLimits.${name} must be a positive integer, got ${value}`);
    limits[name] = Math.min(limits[name], value);
  }
  return Object.freeze(limits);
}

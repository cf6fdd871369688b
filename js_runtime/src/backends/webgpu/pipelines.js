/**
 * The pipeline cache of one device: a compute pipeline per shader key and override constants, made on
 * first use and shared by every plan (and every node) that asks for the same pair. Shader modules
 * are cached per key too.
 * @module
 */

import { WebgradError } from '../../errors.js';

/** @typedef {import('./types.js').GPUDevice} GPUDevice */
/** @typedef {import('./types.js').GPUComputePipeline} GPUComputePipeline */

/**
 * The cache key of a shader key with its override constants (sorted, so the order written does not matter).
 * @param {string} shader
 * @param {Readonly<Record<string, number>> | undefined} constants
 */
export function pipelineKey(shader, constants) {
  const parts = Object.keys(constants ?? {})
    .sort()
    .map((k) => `${k}=${/** @type {Record<string, number>} */ (constants)[k]}`);
  return parts.length ? `${shader}|${parts.join(',')}` : shader;
}

export class PipelineCache {
  /** @type {Map<string, unknown>} */
  #modules = new Map();
  /** @type {Map<string, GPUComputePipeline>} */
  #pipelines = new Map();

  /**
   * @param {GPUDevice} device
   * @param {Readonly<Record<string, string>>} shaders WGSL code by shader key
   */
  constructor(device, shaders) {
    this.device = device;
    this.shaders = shaders;
  }

  /** Number of distinct pipelines made so far. */
  get size() {
    return this.#pipelines.size;
  }

  /**
   * The pipeline for `shader` with `constants`, made once.
   * @param {string} shader a key of SHADERS
   * @param {Readonly<Record<string, number>>} [constants] override constants (WG_X, ...)
   * @returns {GPUComputePipeline}
   */
  get(shader, constants) {
    const key = pipelineKey(shader, constants);
    const hit = this.#pipelines.get(key);
    if (hit) return hit;
    const code = this.shaders[shader];
    if (typeof code !== 'string')
      throw new WebgradError(
        'EBACKEND',
        `webgpu: no shader '${shader}' in shaders.generated.js (rebuild with python webgpu_shaders/build.py)`,
      );
    let module = this.#modules.get(shader);
    if (!module) {
      module = this.device.createShaderModule({ label: shader, code });
      this.#modules.set(shader, module);
    }
    const compute = {
      module,
      entryPoint: 'main',
      ...(constants && Object.keys(constants).length ? { constants } : {}),
    };
    const pipeline = this.device.createComputePipeline({ label: key, layout: 'auto', compute });
    this.#pipelines.set(key, pipeline);
    return pipeline;
  }
}

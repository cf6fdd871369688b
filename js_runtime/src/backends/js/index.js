/**
 * The `js` backend: plain JavaScript reference kernels (float64 accumulation), always available.
 * Weights stay the loader's Float32Arrays; the arena is an ordinary ArrayBuffer.
 * @module
 */

/** @typedef {import('../interface.js').Backend} Backend */
/** @typedef {import('../interface.js').BackendFactory} BackendFactory */

/** @type {BackendFactory} */
export const jsBackend = {
  description: 'plain JavaScript reference kernels (always available)',
  available: () => ({ available: true, reason: 'plain JavaScript, always available' }),
  async create() {
    // imported on first use: the reference kernels are most of the package's code, and a model that
    // runs on wasm or webgpu never needs them
    const { KERNELS } = await import('./kernels/index.js');
    let weightBytes = 0;
    /** @type {Backend} */
    const backend = {
      name: 'js',
      kernels: KERNELS,
      prepareWeights(weights) {
        weightBytes = 0;
        for (const v of weights.values()) weightBytes += v.data.byteLength;
        return weights;
      },
      allocateArena: (byteLength) => ({ buffer: new ArrayBuffer(byteLength), byteOffset: 0, byteLength }),
      releaseArena() {},
      weightsBytes: () => weightBytes,
      dispose() {
        weightBytes = 0;
      },
    };
    return backend;
  },
};

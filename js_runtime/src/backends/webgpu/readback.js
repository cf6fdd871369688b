/**
 * Reading outputs back: each output of a run is copied, in the run's own submission, into a
 * mappable staging buffer taken from a pool (by size); `await tensor.data()` maps it, copies the bytes
 * out, converts them to the tensor's dtype and gives the buffer back to the pool. A tensor disposed
 * unread gives its buffer back unread.
 * @module
 */

import { MAP_READ, USAGE } from './types.js';
import { fromGpu } from './convert.js';

/** @typedef {import('./types.js').GPUDevice} GPUDevice */
/** @typedef {import('./types.js').GPUBuffer} GPUBuffer */
/** @typedef {import('../../dtypes.js').DType} DType */
/** @typedef {import('../../dtypes.js').TypedArray} TypedArray */

/** Staging buffers kept per size when idle (more are destroyed when given back). */
const KEEP_PER_SIZE = 4;

export class StagingPool {
  /** @type {Map<number, GPUBuffer[]>} idle buffers by byte size */
  #idle = new Map();
  #live = 0;

  /** @param {GPUDevice} device */
  constructor(device) {
    this.device = device;
  }

  /** Staging buffers in use plus idle ones (for tests). */
  get count() {
    let n = this.#live;
    for (const list of this.#idle.values()) n += list.length;
    return n;
  }

  /**
   * A staging buffer of `bytes` bytes (a multiple of 4).
   * @param {number} bytes
   * @returns {GPUBuffer}
   */
  take(bytes) {
    this.#live++;
    const hit = this.#idle.get(bytes)?.pop();
    if (hit) return hit;
    return this.device.createBuffer({ label: 'webgrad readback', size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
  }

  /**
   * Gives `buffer` (unmapped) back.
   * @param {GPUBuffer} buffer
   */
  give(buffer) {
    this.#live--;
    const list = this.#idle.get(buffer.size) ?? [];
    if (list.length >= KEEP_PER_SIZE) buffer.destroy();
    else {
      list.push(buffer);
      this.#idle.set(buffer.size, list);
    }
  }

  /** Destroys the idle buffers (those in use are destroyed when given back after this). */
  destroy() {
    for (const list of this.#idle.values()) for (const b of list) b.destroy();
    this.#idle.clear();
  }
}

/**
 * Reads `length` elements of `dtype` from staging `buffer` (already holding the copy) and gives the
 * buffer back to `pool`.
 * @param {StagingPool} pool
 * @param {GPUBuffer} buffer
 * @param {DType} dtype
 * @param {number} length
 * @returns {Promise<TypedArray>}
 */
export async function readStaging(pool, buffer, dtype, length) {
  try {
    await buffer.mapAsync(MAP_READ);
    const bytes = buffer.getMappedRange().slice(0);
    buffer.unmap();
    return fromGpu(bytes, dtype, length);
  } finally {
    pool.give(buffer);
  }
}

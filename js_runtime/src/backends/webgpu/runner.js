/**
 * Runs compiled plans on one device (the `runner` of the webgpu backend, see ../interface.js):
 * - a pool of storage buffers (slots) shared by every plan: compile.js assigns each plan's tensors to
 *   slots by liveness; slot i is grown to the largest plan's need; scratch slots likewise; a uniform
 *   buffer per plan written once at compile;
 * - pipelines from the cache, bind groups built once per plan (again only if a slot it uses grows);
 * - a run writes the inputs, records every pass in one compute pass, copies the outputs to staging
 *   buffers and submits once; the returned tensors are read back on `data()` (readback.js).
 * Errors the device reports (uncaptured validation or out-of-memory errors) fail the read-back of the
 * runs submitted before them, so a broken pipeline never passes as zeros.
 * @module
 */

import { WebgradError } from '../../errors.js';
import { allocate } from '../../dtypes.js';
import { Tensor } from '../../tensor.js';
import { track } from '../../resources.js';
import { compilePlan } from './compile.js';
import { toGpu } from './convert.js';
import { gpuError } from './errors.js';
import { PipelineCache } from './pipelines.js';
import { StagingPool, readStaging } from './readback.js';
import { USAGE } from './types.js';

/** @typedef {import('./types.js').GPUDevice} GPUDevice */
/** @typedef {import('./types.js').GPUBuffer} GPUBuffer */
/** @typedef {import('./compile.js').GpuPlan} GpuPlan */
/** @typedef {import('./compile.js').Program} Program */
/** @typedef {import('./compile.js').Slot} Slot */
/** @typedef {import('../../executor.js').Plan} Plan */
/** @typedef {import('../interface.js').PlanRunner} PlanRunner */

/**
 * @typedef {{gp: GpuPlan, pipelines: unknown[], uniformBuffer: GPUBuffer, bindGroups: unknown[] | null,
 *   boundTo: number}} Compiled `boundTo`: the pool generation its bind groups were made for
 */
/** @typedef {{buffer: GPUBuffer, bytes: number}} PoolSlot */

/** @implements {PlanRunner} */
export class GpuRunner {
  /** @type {PoolSlot[]} tensor slots */
  #pool = [];
  /** @type {PoolSlot[]} scratch slots */
  #scratch = [];
  /** bumped whenever a slot buffer is replaced: plans bound to an older generation re-bind */
  #generation = 0;
  /** @type {Map<string, GPUBuffer>} */
  #weights = new Map();
  #weightBytes = 0;
  /** Device errors seen so far, and the first message. */
  #errors = { count: 0, message: '' };
  /** @type {string | null} */
  lost = null;
  disposed = false;

  /**
   * @param {GPUDevice} device
   * @param {Readonly<Record<string, number>>} limits the effective limits (gpu.js)
   * @param {Readonly<Record<string, Program>>} programs by op
   * @param {PipelineCache} pipelines the device's pipeline cache (shared by the models on the device)
   */
  constructor(device, limits, programs, pipelines) {
    this.device = device;
    this.limits = limits;
    this.programs = programs;
    this.ops = new Set(Object.keys(programs));
    this.pipelines = pipelines;
    this.staging = new StagingPool(device);
    device.addEventListener('uncapturederror', this.#onError);
  }

  /** Records a device error (the device is shared: errors of other models' work count too). */
  #onError = (/** @type {any} */ event) => {
    if (this.#errors.count++ === 0)
      this.#errors.message = String(event?.error?.message ?? event?.error ?? 'unknown device error');
  };

  /**
   * Uploads every weight once into its own storage buffer.
   * @param {Map<string, import('../interface.js').View>} weights
   */
  uploadWeights(weights) {
    for (const [name, w] of weights) {
      const data = toGpu(w.data, w.dtype);
      const size = Math.max(data.byteLength, 4);
      if (size > this.limits.maxBufferSize) {
        throw gpuError(
          'EGPU_LIMIT',
          `webgpu: weight '${name}' [${w.shape}] takes ${size} bytes, over the device's maxBufferSize (${this.limits.maxBufferSize})`,
        );
      }
      const buffer = this.device.createBuffer({
        label: name,
        size,
        usage: USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC,
      });
      this.#weights.set(name, buffer);
      this.#weightBytes += size;
      if (data.byteLength) this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    }
  }

  /** Bytes of the uploaded weights. */
  get weightBytes() {
    return this.#weightBytes;
  }

  /** Bytes of the tensor pool (the counterpart of the executor's arena). */
  arenaBytes() {
    return this.#pool.reduce((n, s) => n + s.bytes, 0);
  }

  /** Bytes of device memory held: weights, tensor pool, scratch. */
  deviceBytes() {
    return this.#weightBytes + this.arenaBytes() + this.#scratch.reduce((n, s) => n + s.bytes, 0);
  }

  /**
   * @param {Plan} plan
   * @returns {Compiled}
   */
  compile(plan) {
    this.#checkUsable();
    const gp = compilePlan(plan, this.programs, this.limits);
    const pipelines = gp.passes.map((p) => this.pipelines.get(p.shader, p.constants));
    const uniformBuffer = this.device.createBuffer({
      label: `uniforms ${plan.key}`,
      size: gp.uniforms.byteLength,
      usage: USAGE.UNIFORM | USAGE.COPY_DST,
    });
    this.device.queue.writeBuffer(uniformBuffer, 0, gp.uniforms);
    return { gp, pipelines, uniformBuffer, bindGroups: null, boundTo: -1 };
  }

  /** @param {unknown} compiled */
  release(compiled) {
    /** @type {Compiled} */ (compiled).uniformBuffer.destroy();
  }

  /**
   * @param {Plan} _plan
   * @param {unknown} compiled
   * @param {readonly Tensor[]} inputs
   * @returns {Tensor[]}
   */
  run(_plan, compiled, inputs) {
    this.#checkUsable();
    const c = /** @type {Compiled} */ (compiled);
    const { gp } = c;
    this.#ensure(this.#pool, gp.pool, true);
    this.#ensure(this.#scratch, gp.scratch, false);
    if (c.boundTo !== this.#generation) this.#bind(c);
    const queue = this.device.queue;
    gp.inputs.forEach(({ slot, dtype }, i) => {
      const data = toGpu(inputs[i].dataSync(), dtype);
      if (data.byteLength)
        queue.writeBuffer(this.#bufferOf(slot), slot.offset, data.buffer, data.byteOffset, data.byteLength);
    });
    const encoder = this.device.createCommandEncoder();
    if (gp.passes.length) {
      const pass = encoder.beginComputePass();
      const groups = /** @type {unknown[]} */ (c.bindGroups);
      gp.passes.forEach((p, i) => {
        pass.setPipeline(c.pipelines[i]);
        pass.setBindGroup(0, groups[i]);
        pass.dispatchWorkgroups(...p.dispatch);
      });
      pass.end();
    }
    const outputs = gp.outputs.map((o) => {
      const bytes = o.length * 4;
      const staging = bytes ? this.staging.take(bytes) : null;
      if (staging) encoder.copyBufferToBuffer(this.#bufferOf(o.slot), o.slot.offset, staging, 0, bytes);
      return { o, staging };
    });
    queue.submit([encoder.finish()]);
    const errorsBefore = this.#errors.count;
    return outputs.map(({ o, staging }) =>
      Tensor.onDevice(
        {
          where: 'webgpu device',
          read: async () => {
            if (!staging) return allocate(o.dtype, 0);
            let values;
            try {
              values = await readStaging(this.staging, staging, o.dtype, o.length);
            } catch (e) {
              if (this.lost || this.disposed)
                throw gpuError(
                  'EGPU_LOST',
                  `webgpu: the device was lost before this output was read back (${this.lost ?? 'the model was disposed'})`,
                  { cause: e },
                );
              throw new WebgradError(
                'EBACKEND',
                `webgpu: reading an output back failed: ${/** @type {Error} */ (e).message}`,
                { cause: e },
              );
            }
            if (this.#errors.count > errorsBefore) {
              throw new WebgradError(
                'EBACKEND',
                `webgpu: the device reported an error while running the model: ${this.#errors.message}`,
              );
            }
            return values;
          },
          release: () => {
            if (staging) this.staging.give(staging);
          },
        },
        o.shape,
        o.dtype,
      ),
    );
  }

  #checkUsable() {
    if (this.disposed) throw new WebgradError('EDISPOSED', 'the webgpu backend was used after dispose()');
    if (this.lost) throw gpuError('EGPU_LOST', `webgpu: the device is lost (${this.lost})`);
    if (this.#errors.count)
      throw new WebgradError('EBACKEND', `webgpu: the device reported an error: ${this.#errors.message}`);
  }

  /**
   * Makes slots[i] hold sizes[i] bytes, replacing a smaller buffer (work already submitted keeps the
   * old one until it is done).
   * @param {PoolSlot[]} slots
   * @param {readonly number[]} sizes
   * @param {boolean} counted whether the bytes count as arena bytes (liveResources)
   */
  #ensure(slots, sizes, counted) {
    sizes.forEach((bytes, i) => {
      const have = slots[i];
      if (have && have.bytes >= bytes) return;
      have?.buffer.destroy();
      const buffer = this.device.createBuffer({
        label: `webgrad ${counted ? 'tensors' : 'scratch'} ${i}`,
        size: bytes,
        usage: USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC,
      });
      if (counted) track('arenaBytes', bytes - (have ? have.bytes : 0));
      slots[i] = { buffer, bytes };
      this.#generation++;
    });
  }

  /**
   * @param {Slot} slot
   * @returns {GPUBuffer}
   */
  #bufferOf(slot) {
    if (slot.in === 'pool') return this.#pool[slot.index].buffer;
    if (slot.in === 'scratch') return this.#scratch[slot.index].buffer;
    return /** @type {GPUBuffer} */ (this.#weights.get(slot.name));
  }

  /**
   * Builds the plan's bind groups on the current slot buffers.
   * @param {Compiled} c
   */
  #bind(c) {
    c.bindGroups = c.gp.passes.map((p, i) =>
      this.device.createBindGroup({
        label: `${p.node} ${p.shader}`,
        layout: /** @type {any} */ (c.pipelines[i]).getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: c.uniformBuffer, offset: p.uniformOffset, size: p.uniformSize } },
          ...p.slots.map((s, j) => ({
            binding: j + 1,
            resource: { buffer: this.#bufferOf(s), offset: s.offset, size: s.size },
          })),
        ],
      }),
    );
    c.boundTo = this.#generation;
  }

  /** Frees every buffer. */
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.device.removeEventListener('uncapturederror', this.#onError);
    track('arenaBytes', -this.arenaBytes());
    for (const s of [...this.#pool, ...this.#scratch]) s.buffer.destroy();
    for (const b of this.#weights.values()) b.destroy();
    this.#weights.clear();
    this.#weightBytes = 0;
    this.#pool = [];
    this.#scratch = [];
    this.staging.destroy();
  }
}

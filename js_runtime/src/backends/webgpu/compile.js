/**
 * From an executor plan to the GPU's: where every tensor lives in device memory and which passes run.
 * Pure (no GPU objects), so it is testable without a device:
 * - placement: a buffer POOL, not one arena. WebGPU validates usage per buffer, not per range: a
 *   buffer bound read-only and read-write in one dispatch is an error even where the ranges do not
 *   overlap, so a node's output cannot share a GPUBuffer with its inputs. The executor's buffers (with
 *   their liveness) are assigned to pool slots instead: each buffer takes a free slot (best fit, else
 *   the largest free one grown, else a new one) after the step's output is placed and before its
 *   inputs die, so an output never shares a slot with an input of its node. Slots are sorted largest
 *   first, so that plans for other shapes (which share the runner's slot buffers) line up;
 * - per node, its program's passes (shader, constants, uniforms, bindings, dispatch), every uniform
 *   struct packed into one block at the uniform-offset alignment; scratch buffer j of any node lives
 *   in shared scratch slot j (nodes run one after another; distinct j are distinct buffers);
 * - limits: a binding over `maxStorageBufferBindingSize` or a dispatch over
 *   `maxComputeWorkgroupsPerDimension` is EGPU_LIMIT naming the tensor or node (never a wrong result).
 * @module
 */

import { WebgradError } from '../../errors.js';
import { GPU_ITEM } from './convert.js';
import { gpuError } from './errors.js';

/** @typedef {import('../../executor.js').Plan} Plan */
/** @typedef {import('../../dtypes.js').DType} DType */

/**
 * A pass as a program returns it (webgpu_shaders/README.md).
 * @typedef {{shader: string, constants?: Record<string, number>, uniforms: ArrayBuffer,
 *   bindings: ({input: number} | {output: number} | {scratch: number})[], dispatch: number[], scratch?: number[]}} Pass
 */
/**
 * @typedef {(args: {inputs: ({shape: number[], dtype: DType} | null)[], attrs: Record<string, any>,
 *   output: {shape: number[], dtype: DType}, limits: Readonly<Record<string, number>>}) => Pass[]} Program
 */
/**
 * Where a binding's bytes are: pool slot `index`, a weight's own buffer, or scratch slot `index`
 * (always from byte 0).
 * @typedef {{in: 'pool', index: number, offset: 0, size: number} | {in: 'weight', name: string, offset: 0, size: number} |
 *   {in: 'scratch', index: number, offset: 0, size: number}} Slot
 */
/**
 * @typedef {{node: string, shader: string, constants: Record<string, number> | undefined, uniformOffset: number,
 *   uniformSize: number, slots: Slot[], dispatch: [number, number, number]}} GpuPass
 */
/**
 * @typedef {{pool: number[], scratch: number[], uniforms: ArrayBuffer, passes: GpuPass[],
 *   inputs: {slot: Slot, dtype: DType}[], outputs: {slot: Slot, dtype: DType, shape: number[], length: number}[]}} GpuPlan
 */

/** Bytes a tensor of `length` elements binds (a binding cannot be empty). */
const bindBytes = (/** @type {number} */ length) => Math.max(length * GPU_ITEM, GPU_ITEM);

/**
 * `n` rounded up to a multiple of `align`.
 * @param {number} n
 * @param {number} align
 */
const roundUp = (n, align) => Math.ceil(n / align) * align;

/**
 * Assigns buffers with lifetimes to pool slots (see the module doc). Returns each buffer's slot and the
 * slots' sizes, largest first.
 * @param {readonly {size: number, def: number, last: number}[]} buffers
 * @returns {{slotOf: number[], sizes: number[]}}
 */
export function assignPool(buffers) {
  /** @type {number[]} */
  const sizes = [];
  /** @type {Set<number>} */
  const free = new Set();
  const slotOf = new Array(buffers.length).fill(-1);
  const steps = [...new Set(buffers.flatMap((b) => [b.def, b.last]))].sort((a, b) => a - b);
  for (const step of steps) {
    buffers.forEach((b, i) => {
      if (b.def !== step) return;
      let pick = -1;
      for (const s of free) if (sizes[s] >= b.size && (pick < 0 || sizes[s] < sizes[pick])) pick = s;
      if (pick < 0) for (const s of free) if (pick < 0 || sizes[s] > sizes[pick]) pick = s;
      if (pick < 0) pick = sizes.push(0) - 1;
      sizes[pick] = Math.max(sizes[pick], b.size);
      free.delete(pick);
      slotOf[i] = pick;
    });
    buffers.forEach((b, i) => {
      if (b.last === step) free.add(slotOf[i]);
    });
  }
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[b] - sizes[a] || a - b);
  const rank = new Array(sizes.length);
  order.forEach((s, r) => {
    rank[s] = r;
  });
  return { slotOf: slotOf.map((s) => rank[s]), sizes: order.map((s) => sizes[s]) };
}

/**
 * Compiles `plan` with `programs` under `limits`.
 * @param {Plan} plan
 * @param {Readonly<Record<string, Program>>} programs
 * @param {Readonly<Record<string, number>>} limits
 * @returns {GpuPlan}
 */
export function compilePlan(plan, programs, limits) {
  const uniformAlign = limits.minUniformBufferOffsetAlignment;
  const pool = assignPool(plan.buffers.map((b) => ({ size: bindBytes(b.elements), def: b.def, last: b.last })));

  /**
   * The slot of plan value `v`, checked against the binding limit.
   * @param {number} v
   * @param {string} node naming the node in errors
   * @returns {Slot}
   */
  const slotOf = (v, node) => {
    const value = plan.values[v];
    const bytes = bindBytes(value.size);
    if (bytes > limits.maxStorageBufferBindingSize) {
      throw gpuError(
        'EGPU_LIMIT',
        `webgpu: tensor '${value.name}' [${value.shape}] of node '${node}' takes ${bytes} bytes, over the device's maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize}); use a smaller batch or another backend`,
      );
    }
    if (value.weightName !== null) return { in: 'weight', name: value.weightName, offset: 0, size: bytes };
    return { in: 'pool', index: pool.slotOf[value.buffer], offset: 0, size: bytes };
  };

  /** @type {GpuPass[]} */
  const passes = [];
  /** @type {ArrayBuffer[]} */
  const blocks = [];
  let uniformBytes = 0;
  /** @type {number[]} bytes of each scratch slot */
  const scratch = [];
  for (const step of plan.steps) {
    if (step.alias) continue;
    const { node } = step;
    const program = programs[node.op];
    if (!program)
      throw new WebgradError('EBACKEND', `backend 'webgpu' has no program for op ${node.op} (node '${node.name}')`);
    const inputs = step.inputs.map((i) =>
      i === null ? null : { shape: plan.values[i].shape, dtype: plan.values[i].dtype },
    );
    const out = plan.values[step.output];
    let nodePasses;
    try {
      nodePasses = program({ inputs, attrs: node.attrs, output: { shape: out.shape, dtype: out.dtype }, limits });
    } catch (e) {
      const err = /** @type {WebgradError} */ (e);
      throw new WebgradError(err.code ?? 'EBACKEND', `node '${node.name}' (${node.op}) on webgpu: ${err.message}`, {
        cause: e,
      });
    }
    const inputSlots = step.inputs.map((i) => (i === null ? null : slotOf(i, node.name)));
    const outputSlot = slotOf(step.output, node.name);
    /** @type {number[]} bytes of this node's scratch buffer j */
    const nodeScratch = [];
    for (const p of nodePasses) {
      (p.scratch ?? []).forEach((bytes, j) => {
        if (bytes > limits.maxStorageBufferBindingSize) {
          throw gpuError(
            'EGPU_LIMIT',
            `webgpu: node '${node.name}' (${node.op}) needs a ${bytes}-byte scratch buffer, over maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize})`,
          );
        }
        nodeScratch[j] = Math.max(nodeScratch[j] ?? 0, roundUp(Math.max(bytes, GPU_ITEM), GPU_ITEM));
        scratch[j] = Math.max(scratch[j] ?? 0, nodeScratch[j]);
      });
    }
    for (const p of nodePasses) {
      const dispatch = /** @type {[number, number, number]} */ ([0, 1, 2].map((d) => p.dispatch[d] ?? 1));
      const over = dispatch.find((n) => n > limits.maxComputeWorkgroupsPerDimension);
      if (over !== undefined) {
        throw gpuError(
          'EGPU_LIMIT',
          `webgpu: node '${node.name}' (${node.op}) dispatches ${dispatch.join(' x ')} workgroups, over maxComputeWorkgroupsPerDimension (${limits.maxComputeWorkgroupsPerDimension}) in one dimension`,
        );
      }
      if (dispatch.some((n) => n === 0)) continue; // nothing to compute (an empty tensor)
      const slots = p.bindings.map((b) => {
        if ('input' in b) {
          const s = inputSlots[b.input];
          if (!s)
            throw new WebgradError(
              'EBACKEND',
              `webgpu: the program for node '${node.name}' (${node.op}) binds absent input ${b.input}`,
            );
          return s;
        }
        if ('output' in b) return outputSlot;
        const bytes = nodeScratch[b.scratch];
        if (bytes === undefined)
          throw new WebgradError(
            'EBACKEND',
            `webgpu: the program for node '${node.name}' (${node.op}) binds scratch ${b.scratch} without declaring its size`,
          );
        return /** @type {Slot} */ ({ in: 'scratch', index: b.scratch, offset: 0, size: bytes });
      });
      const uniformOffset = uniformBytes;
      blocks.push(p.uniforms);
      uniformBytes = roundUp(uniformBytes + Math.max(p.uniforms.byteLength, 16), uniformAlign);
      passes.push({
        node: node.name,
        shader: p.shader,
        constants: p.constants,
        uniformOffset,
        uniformSize: Math.max(p.uniforms.byteLength, 16),
        slots,
        dispatch,
      });
    }
  }

  const uniforms = new ArrayBuffer(Math.max(uniformBytes, 16));
  const bytes = new Uint8Array(uniforms);
  passes.forEach((p, i) => bytes.set(new Uint8Array(blocks[i]), p.uniformOffset));
  return {
    pool: pool.sizes,
    scratch,
    uniforms,
    passes,
    inputs: plan.inputs.map((v) => ({ slot: slotOf(v, 'graph input'), dtype: plan.values[v].dtype })),
    outputs: plan.outputs.map((v) => ({
      slot: slotOf(v, 'graph output'),
      dtype: plan.values[v].dtype,
      shape: plan.values[v].shape,
      length: plan.values[v].size,
    })),
  };
}

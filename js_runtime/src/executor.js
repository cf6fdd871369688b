/**
 * The graph executor. For each concrete signature of input shapes it builds a plan once and caches it:
 * static shapes from the shape rules, the steps in topological order, liveness of every intermediate
 * value, and their placement in ONE arena (src/arena.js) with typed-array views made once. A run then
 * copies the inputs into the arena, calls one kernel per node with preallocated views, and copies the
 * outputs out; it allocates nothing else. Reshape and Flatten cost nothing: their output is a view of
 * their input's buffer. All plans share the arena, sized to the largest. When a backend's memory
 * moves (a WebAssembly memory grown by a kernel), the views are re-made before the next step.
 *
 * A backend with a `runner` (webgpu) takes the plan instead: it compiles it once into its own form
 * (placement in device memory, programs, bind groups) and runs it in one submission, returning
 * tensors that stay in device memory until read; the executor's arena and views are not used then.
 * @module
 */

import { WebgradError } from './errors.js';
import { itemSize, viewOf } from './dtypes.js';
import { planArena } from './arena.js';
import { inferNode } from './shape_rules.js';
import { sizeOf } from './shapes.js';
import { Tensor } from './tensor.js';
import { track } from './resources.js';

/** @typedef {import('./dtypes.js').DType} DType */
/** @typedef {import('./backends/interface.js').View} View */
/** @typedef {import('./backends/interface.js').Backend} Backend */
/** @typedef {import('./backends/interface.js').GraphNode} GraphNode */
/** @typedef {import('./backends/interface.js').ArenaMemory} ArenaMemory */
/** @typedef {import('./backends/interface.js').PlanRunner} PlanRunner */
/** @typedef {{name: string, dtype: DType, shape: readonly (number | null)[]}} TensorSpec */
/** @typedef {{inputs: readonly TensorSpec[], outputs: readonly TensorSpec[], nodes: readonly GraphNode[]}} Graph */
/**
 * How a plan learns each node's output: `inferNode(op, shapes, dtypes, attrs)` → `{shape, dtype}` (default:
 * the op set's shape rules, shape_rules.js), and per op the input slots read only for their shape
 * (`shapeOnlyInputs`: reading them does not keep their buffer alive). Training passes the rules of
 * the gradient ops here (grad_shape_rules.js TRAINING_PLAN_RULES), so inference never loads them.
 * @typedef {{inferNode?: (op: string, shapes: any[], dtypes: any[], attrs: any) => {shape: readonly (number | null)[], dtype: string},
 *   shapeOnlyInputs?: ReadonlyMap<string, ReadonlySet<number>>}} PlanRules
 */

/** Ops whose output is their input's data under another shape: planned as views, never run. */
export const ALIAS_OPS = Object.freeze(new Set(['Reshape', 'Flatten', 'ReshapeLike']));

/** @type {ReadonlyMap<string, ReadonlySet<number>>} */
const NO_SHAPE_ONLY_INPUTS = new Map();

/** Plans kept per executor (least recently used are dropped). */
export const MAX_PLANS = 8;

/**
 * A value of a plan: its shape and dtype, and where its data lives: a weight view (`weightName` is the
 * weight's name, also through Reshape/Flatten), or buffer `buffer` of the arena.
 * @typedef {{name: string, shape: number[], dtype: DType, size: number, buffer: number, weight: View | null,
 *   weightName: string | null, view: View | null}} Value
 */

/**
 * @typedef {{node: GraphNode, inputs: (number | null)[], output: number, alias: boolean,
 *   inputViews: (View | null)[], outputView: View | null}} Step
 */

/**
 * A buffer of the plan: `elements` values of `dtype`, live from step `def` through step `last`
 * (-1: a graph input; steps.length: a graph output). A runner places them with its own sizes.
 * @typedef {{size: number, elements: number, dtype: DType, def: number, last: number}} PlanBuffer
 */

/**
 * @typedef {{key: string, shapes: number[][], values: Value[], steps: Step[], inputs: number[], outputs: number[],
 *   buffers: PlanBuffer[], offsets: number[], arenaBytes: number, boundTo: ArrayBuffer | null,
 *   boundArena: ArenaMemory | null, compiled: unknown}} Plan `compiled`: the runner's form of the plan (null
 *   until compiled, or without one); `boundTo`/`boundArena`: the buffer and arena its views were made on
 */

/**
 * Whether two lists of shapes are equal.
 * @param {readonly (readonly number[])[]} a @param {readonly (readonly number[])[]} b
 */
function sameShapes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.length !== y.length) return false;
    for (let d = 0; d < x.length; d++) if (x[d] !== y[d]) return false;
  }
  return true;
}

/**
 * Whether `backend` can run `op`: a kernel, or an op its runner takes.
 * @param {Backend} backend
 * @param {string} op
 */
export function supportsOp(backend, op) {
  return backend.runner ? backend.runner.ops.has(op) : typeof backend.kernels[op] === 'function';
}

/** Runs a graph on a backend with planned memory; see the module doc. */
export class Executor {
  /** @type {Map<string, Plan>} */
  #plans = new Map();
  /** @type {Plan | null} the plan of the last call (most recently used) */
  #last = null;
  /** @type {ArenaMemory | null} */
  #arena = null;
  #disposed = false;

  /**
   * @param {Graph} graph nodes in topological order, attributes normalized
   * @param {Map<string, View>} weights the backend's prepared weights, by tensor name
   * @param {Backend} backend
   * @param {{maxArenaBytes?: number} & PlanRules} [options] `maxArenaBytes`: a plan that needs more memory
   *   (from the shape rules, before anything is allocated) is refused with ELIMIT (default: no cap);
   *   `inferNode`, `shapeOnlyInputs`: see {@link PlanRules} (training graphs)
   */
  constructor(graph, weights, backend, { maxArenaBytes = Infinity, inferNode: infer, shapeOnlyInputs } = {}) {
    this.graph = graph;
    this.weights = weights;
    this.backend = backend;
    this.maxArenaBytes = maxArenaBytes;
    /** @type {Required<PlanRules>} */
    this.rules = { inferNode: infer ?? inferNode, shapeOnlyInputs: shapeOnlyInputs ?? NO_SHAPE_ONLY_INPUTS };
  }

  /** Bytes of the arena (the largest plan's need so far; a runner's device arena for webgpu). */
  get arenaBytes() {
    if (this.backend.runner) return this.backend.runner.arenaBytes();
    return this.#arena ? this.#arena.byteLength : 0;
  }

  /** Number of cached plans (at most {@link MAX_PLANS}). */
  get planCount() {
    return this.#plans.size;
  }

  /**
   * The plan for these input shapes (built and cached on first use).
   * @param {readonly (readonly number[])[]} shapes one per graph input, in signature order
   * @returns {Plan}
   */
  plan(shapes) {
    const last = this.#last;
    if (last !== null && sameShapes(last.shapes, shapes)) return last; // the common case: no key string
    const key = shapes.map((s) => s.join('x')).join(',');
    const hit = this.#plans.get(key);
    if (hit) {
      this.#plans.delete(key); // most recently used last
      this.#plans.set(key, hit);
      this.#last = hit;
      return hit;
    }
    const plan = buildPlan(this.graph, this.weights, this.backend, shapes, key, this.maxArenaBytes, this.rules);
    this.#plans.set(key, plan);
    this.#last = plan;
    if (this.#plans.size > MAX_PLANS) {
      const oldest = /** @type {string} */ (this.#plans.keys().next().value);
      this.#drop(/** @type {Plan} */ (this.#plans.get(oldest)));
      this.#plans.delete(oldest);
    }
    return plan;
  }

  /**
   * Runs the graph. `inputs` are in signature order, already checked (dtype, rank, static dims).
   * Returns fresh tensors, one per graph output.
   * @param {readonly Tensor[]} inputs
   * @returns {Tensor[]}
   */
  run(inputs) {
    if (this.#disposed) throw new WebgradError('EDISPOSED', 'the model was used after dispose()');
    const plan = this.plan(inputs.map((t) => t.shape));
    const runner = this.backend.runner;
    if (runner) {
      plan.compiled ??= runner.compile(plan);
      return runner.run(plan, plan.compiled, inputs);
    }
    return this.#runPlan(plan, inputs).map(
      (view) => new Tensor(/** @type {View} */ (view).data.slice(), [...view.shape], view.dtype),
    );
  }

  /**
   * Runs the graph and returns the outputs' views in the arena (or weight views), without copying:
   * valid until the next run or dispose. For training loops that read gradients every step without
   * allocating (backends with kernels only; a runner backend is EBACKEND).
   * @param {readonly Tensor[]} inputs as for {@link Executor#run}
   * @returns {View[]}
   */
  runViews(inputs) {
    if (this.#disposed) throw new WebgradError('EDISPOSED', 'the model was used after dispose()');
    if (this.backend.runner) {
      throw new WebgradError('EBACKEND', `backend '${this.backend.name}' runs whole plans; runViews needs kernels`);
    }
    return this.#runPlan(this.plan(inputs.map((t) => t.shape)), inputs);
  }

  /**
   * @param {Plan} plan
   * @param {readonly Tensor[]} inputs
   * @returns {View[]}
   */
  #runPlan(plan, inputs) {
    const arena = this.#ensureArena(plan.arenaBytes);
    if (plan.boundTo !== arena.buffer || plan.boundArena !== arena) bind(plan, arena); // new arena or moved memory
    plan.inputs.forEach((v, i) => /** @type {View} */ (plan.values[v].view).data.set(inputs[i].dataSync()));
    const kernels = this.backend.kernels;
    for (const step of plan.steps) {
      if (step.alias) continue;
      kernels[step.node.op](step.inputViews, step.node.attrs, /** @type {View} */ (step.outputView));
      if (plan.boundTo !== arena.buffer) bind(plan, arena); // a kernel grew (moved) the backend's memory
    }
    return plan.outputs.map((v) => /** @type {View} */ (plan.values[v].view));
  }

  /**
   * @param {number} bytes
   * @returns {ArenaMemory}
   */
  #ensureArena(bytes) {
    if (this.#arena && this.#arena.byteLength >= bytes) return this.#arena;
    this.#releaseArena();
    this.#arena = this.backend.allocateArena(bytes);
    track('arenaBytes', this.#arena.byteLength);
    return this.#arena;
  }

  /**
   * Frees the arena but keeps the plans: the next run allocates it again (with the size of the plan it
   * runs) and re-makes the views; no plan is rebuilt. For a model whose training and inference take
   * turns with the backend's memory (a backend may hold one arena at a time).
   */
  releaseArena() {
    this.#releaseArena();
  }

  #releaseArena() {
    if (!this.#arena) return;
    track('arenaBytes', -this.#arena.byteLength);
    this.backend.releaseArena(this.#arena);
    this.#arena = null;
  }

  /**
   * Gives a runner's compiled form of `plan` back.
   * @param {Plan} plan
   */
  #drop(plan) {
    if (plan.compiled !== null) this.backend.runner?.release(plan.compiled);
    plan.compiled = null;
  }

  /** Frees the arena and the plans. The executor is unusable after. */
  dispose() {
    this.#releaseArena();
    for (const plan of this.#plans.values()) this.#drop(plan);
    this.#plans.clear();
    this.#last = null;
    this.#disposed = true;
  }
}

/**
 * Builds the plan for concrete input shapes: shapes, steps, liveness and arena offsets.
 * @param {Graph} graph
 * @param {Map<string, View>} weights
 * @param {Backend} backend
 * @param {readonly (readonly number[])[]} shapes
 * @param {string} key
 * @param {number} maxArenaBytes ELIMIT when one value, or the arena, needs more
 * @param {Required<PlanRules>} rules
 * @returns {Plan}
 */
function buildPlan(graph, weights, backend, shapes, key, maxArenaBytes, rules) {
  const forShapes = () => `input shapes ${shapes.map((s) => `[${s.join(', ')}]`).join(', ')}`;
  /** @type {Value[]} */
  const values = [];
  /** @type {Map<string, number>} */
  const byName = new Map();
  /** @type {PlanBuffer[]} */
  const buffers = [];
  /**
   * @param {string} name @param {readonly number[]} shape @param {DType} dtype @param {number} buffer
   * @param {View | null} weight @param {string | null} [weightName]
   */
  const addValue = (name, shape, dtype, buffer, weight, weightName = null) => {
    values.push({ name, shape: [...shape], dtype, size: sizeOf(shape), buffer, weight, weightName, view: null });
    byName.set(name, values.length - 1);
    return values.length - 1;
  };
  /** @param {readonly number[]} shape @param {DType} dtype @param {number} def */
  const addBuffer = (shape, dtype, def) =>
    buffers.push({ size: sizeOf(shape) * itemSize(dtype), elements: sizeOf(shape), dtype, def, last: def }) - 1;

  const inputs = graph.inputs.map((spec, i) => {
    const shape = shapes[i];
    return addValue(spec.name, shape, spec.dtype, addBuffer(shape, spec.dtype, -1), null);
  });
  /** @param {string} name */
  const lookup = (name) => {
    const known = byName.get(name);
    if (known !== undefined) return known;
    const w = /** @type {View} */ (weights.get(name));
    return addValue(name, w.shape, w.dtype, -1, w, name);
  };

  /** @type {Step[]} */
  const steps = graph.nodes.map((node, s) => {
    const ins = node.inputs.map((name) => (name ? lookup(name) : null));
    let out;
    try {
      out = rules.inferNode(
        node.op,
        /** @type {any} */ (ins.map((i) => (i === null ? null : values[i].shape))),
        /** @type {any} */ (ins.map((i) => (i === null ? null : values[i].dtype))),
        node.attrs,
      );
    } catch (e) {
      const err = /** @type {WebgradError} */ (e);
      throw new WebgradError(err.code ?? 'ESHAPE', `node '${node.name}' (${node.op}): ${err.message}`, { cause: e });
    }
    const shape = /** @type {number[]} */ (out.shape);
    const dtype = /** @type {DType} */ (out.dtype);
    // checked before the arena is sized: an element count this large would only fail later, untyped
    const bytes = sizeOf(shape) * itemSize(dtype);
    if (bytes > maxArenaBytes) {
      throw new WebgradError(
        'ELIMIT',
        `node '${node.name}' (${node.op}): its output ${dtype} [${shape.join(', ')}] needs ${bytes} bytes, over maxArenaBytes (${maxArenaBytes} bytes), for ${forShapes()}`,
      );
    }
    const alias = ALIAS_OPS.has(node.op);
    const source = values[/** @type {number} */ (ins[0])];
    const shapeOnly = rules.shapeOnlyInputs.get(node.op);
    ins.forEach((i, k) => {
      if (i === null || values[i].buffer < 0 || shapeOnly?.has(k)) return;
      buffers[values[i].buffer].last = Math.max(buffers[values[i].buffer].last, s);
    });
    let output;
    if (!alias) output = addValue(node.outputs[0], shape, dtype, addBuffer(shape, dtype, s), null);
    else if (source.weight) {
      const of = source.weight; // read its data on use: a backend may re-create it when its memory moves
      output = addValue(
        node.outputs[0],
        shape,
        dtype,
        -1,
        {
          get data() {
            return of.data;
          },
          shape,
          dtype,
        },
        source.weightName,
      );
    } else output = addValue(node.outputs[0], shape, dtype, source.buffer, null);
    if (!alias && !supportsOp(backend, node.op)) {
      throw new WebgradError(
        'EBACKEND',
        `backend '${backend.name}' has no kernel for op ${node.op} (node '${node.name}')`,
      );
    }
    return { node, inputs: ins, output, alias, inputViews: [], outputView: null };
  });
  const outputs = graph.outputs.map((spec) => lookup(spec.name));
  for (const v of outputs) if (values[v].buffer >= 0) buffers[values[v].buffer].last = steps.length;
  const { offsets, size } = planArena(buffers);
  if (size > maxArenaBytes) {
    throw new WebgradError(
      'ELIMIT',
      `running the graph for ${forShapes()} needs ${size} bytes of memory, over maxArenaBytes (${maxArenaBytes} bytes)`,
    );
  }
  return {
    key,
    shapes: shapes.map((s) => [...s]),
    values,
    steps,
    inputs,
    outputs,
    buffers,
    offsets,
    arenaBytes: size,
    boundTo: null,
    boundArena: null,
    compiled: null,
  };
}

/**
 * (Re)creates the plan's views on the arena's current buffer.
 * @param {Plan} plan
 * @param {ArenaMemory} arena
 */
function bind(plan, arena) {
  for (const v of plan.values) {
    v.view = v.weight ?? {
      data: viewOf(v.dtype, arena.buffer, arena.byteOffset + plan.offsets[v.buffer], v.size),
      shape: v.shape,
      dtype: v.dtype,
    };
  }
  for (const step of plan.steps) {
    step.inputViews = step.inputs.map((i) => (i === null ? null : plan.values[i].view));
    step.outputView = plan.values[step.output].view;
  }
  plan.boundTo = arena.buffer;
  plan.boundArena = arena;
}

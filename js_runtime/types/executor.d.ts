/**
 * Whether `backend` can run `op`: a kernel, or an op its runner takes.
 * @param {Backend} backend
 * @param {string} op
 */
export function supportsOp(backend: Backend, op: string): boolean;
/** @typedef {import('./dtypes.js').DType} DType */
/** @typedef {import('./backends/interface.js').View} View */
/** @typedef {import('./backends/interface.js').Backend} Backend */
/** @typedef {import('./backends/interface.js').GraphNode} GraphNode */
/** @typedef {import('./backends/interface.js').ArenaMemory} ArenaMemory */
/** @typedef {import('./backends/interface.js').PlanRunner} PlanRunner */
/** @typedef {{name: string, dtype: DType, shape: readonly (number | null)[]}} TensorSpec */
/** @typedef {{inputs: readonly TensorSpec[], outputs: readonly TensorSpec[], nodes: readonly GraphNode[]}} Graph */
/** Ops whose output is their input's data under another shape: planned as views, never run. */
export const ALIAS_OPS: Readonly<Set<string>>;
/** Plans kept per executor (least recently used are dropped). */
export const MAX_PLANS: 8;
/** Runs a graph on a backend with planned memory; see the module doc. */
export class Executor {
    /**
     * @param {Graph} graph nodes in topological order, attributes normalized
     * @param {Map<string, View>} weights the backend's prepared weights, by tensor name
     * @param {Backend} backend
     */
    constructor(graph: Graph, weights: Map<string, View>, backend: Backend);
    graph: Graph;
    weights: Map<string, import("./backends/interface.js").View>;
    backend: import("./backends/interface.js").Backend;
    /** Bytes of the arena (the largest plan's need so far; a runner's device arena for webgpu). */
    get arenaBytes(): number;
    /** Number of cached plans (at most {@link MAX_PLANS}). */
    get planCount(): number;
    /**
     * The plan for these input shapes (built and cached on first use).
     * @param {readonly (readonly number[])[]} shapes one per graph input, in signature order
     * @returns {Plan}
     */
    plan(shapes: readonly (readonly number[])[]): Plan;
    /**
     * Runs the graph. `inputs` are in signature order, already checked (dtype, rank, static dims).
     * Returns fresh tensors, one per graph output.
     * @param {readonly Tensor[]} inputs
     * @returns {Tensor[]}
     */
    run(inputs: readonly Tensor[]): Tensor[];
    /** Frees the arena and the plans. The executor is unusable after. */
    dispose(): void;
    #private;
}
/**
 * A value of a plan: its shape and dtype, and where its data lives: a weight view (`weightName` is the
 * weight's name, also through Reshape/Flatten), or buffer `buffer` of the arena.
 */
export type Value = {
    name: string;
    shape: number[];
    dtype: DType;
    size: number;
    buffer: number;
    weight: View | null;
    weightName: string | null;
    view: View | null;
};
export type Step = {
    node: GraphNode;
    inputs: (number | null)[];
    output: number;
    alias: boolean;
    inputViews: (View | null)[];
    outputView: View | null;
};
/**
 * A buffer of the plan: `elements` values of `dtype`, live from step `def` through step `last`
 * (-1: a graph input; steps.length: a graph output). A runner places them with its own sizes.
 */
export type PlanBuffer = {
    size: number;
    elements: number;
    dtype: DType;
    def: number;
    last: number;
};
/**
 * `compiled`: the runner's form of the plan (null until compiled, or without one)
 */
export type Plan = {
    key: string;
    shapes: number[][];
    values: Value[];
    steps: Step[];
    inputs: number[];
    outputs: number[];
    buffers: PlanBuffer[];
    offsets: number[];
    arenaBytes: number;
    boundTo: ArrayBuffer | null;
    compiled: unknown;
};
export type DType = import("./dtypes.js").DType;
export type View = import("./backends/interface.js").View;
export type Backend = import("./backends/interface.js").Backend;
export type GraphNode = import("./backends/interface.js").GraphNode;
export type ArenaMemory = import("./backends/interface.js").ArenaMemory;
export type PlanRunner = import("./backends/interface.js").PlanRunner;
export type TensorSpec = {
    name: string;
    dtype: DType;
    shape: readonly (number | null)[];
};
export type Graph = {
    inputs: readonly TensorSpec[];
    outputs: readonly TensorSpec[];
    nodes: readonly GraphNode[];
};
import { Tensor } from './tensor.js';

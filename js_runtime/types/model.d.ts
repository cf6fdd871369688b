/**
 * Disposes a backend instance and updates the live-resource counters.
 * @param {Backend} backend
 */
export function disposeBackend(backend: Backend): void;
/**
 * Makes the backend a model moves to when its GPU device is lost (wasm, else js), with its executor.
 * @typedef {() => Promise<{executor: Executor, backend: Backend}>} Recover
 */
/**
 * A model ready to run on one backend. On a GPU backend whose device is lost, the next call moves it
 * to a CPU backend (`backend` and `backendReason` say so), and an output of a call in flight that
 * cannot be read back any more is recomputed there from the same inputs.
 */
export class Model {
    /**
     * @param {{manifest: Manifest, graph: Graph, executor: Executor, backend: Backend, backendReason: string,
     *   recover?: Recover}} parts
     */
    constructor({ manifest, graph, executor, backend, backendReason, recover }: {
        manifest: Manifest;
        graph: Graph;
        executor: Executor;
        backend: Backend;
        backendReason: string;
        recover?: Recover;
    });
    /** The name of the backend the model runs on ('js', 'wasm', 'webgpu'). */
    backend: string;
    /** Why this backend: the request, and for 'auto' the backends skipped with their reasons. */
    backendReason: string;
    /** The model's inputs and outputs: `{inputs: [{name, dtype, shape}], outputs: [...]}` (null = dynamic dim). */
    signature: {
        inputs: import("./loader/manifest.js").TensorSpecJson[];
        outputs: import("./loader/manifest.js").TensorSpecJson[];
    };
    /** The bundle's metadata (labels, preprocessing, task, training metrics...). */
    metadata: Record<string, any>;
    /** What wrote the bundle: `{name, version}`. */
    producer: {
        name: string;
        version: string;
    };
    /** The self-test result at load (`{maxError, tolerance}`), or null when it was skipped. */
    selftest: import("./selftest.js").SelftestResult | null;
    graph: import("./executor.js").Graph;
    /** Class names from `metadata.labels` (index = class id), or undefined. */
    get labels(): string[] | undefined;
    /**
     * Runs the model synchronously on inputs already checked, in signature order (used by the self-test).
     * On a GPU backend the outputs are still on the device (read them with `await t.data()`).
     * @param {Tensor[]} inputs
     * @returns {Tensor[]}
     */
    runChecked(inputs: Tensor[]): Tensor[];
    /**
     * Called by the backend when its device is lost: says so in `backendReason`; the next call moves on.
     * @param {string} why
     */
    deviceLost(why: string): void;
    /**
     * Runs the model. `input` is a Tensor or `{data, shape}` (or nested number arrays) for a model with
     * one input; an array of those in signature order, or an object keyed by input name, for several.
     * Returns a Tensor, or an object of tensors keyed by output name when the model has several outputs.
     * @param {ModelInput} input
     * @returns {Promise<Tensor | Record<string, Tensor>>}
     */
    predict(input: ModelInput): Promise<Tensor | Record<string, Tensor>>;
    /**
     * Classifies raw input: applies `metadata.preprocessing` (`scale`, then `mean`/`std`), runs the
     * model and returns the top `topK` classes per example, best first, with labels from the metadata.
     * Takes a Tensor, `{data, shape}` or a typed/plain array of any numeric dtype (e.g. a Uint8Array of
     * pixels); without a shape, or without the batch dim, it is taken as whole examples. Returns one
     * array of predictions for a single example, and an array of arrays for a batch of several.
     * Outputs that are not a Softmax/Sigmoid get a softmax first. `preprocess: false` feeds the values
     * as they are.
     * @param {unknown} input
     * @param {{topK?: number, preprocess?: boolean}} [options]
     * @returns {Promise<Prediction[] | Prediction[][]>}
     */
    classify(input: unknown, { topK: k, preprocess }?: {
        topK?: number;
        preprocess?: boolean;
    }): Promise<Prediction[] | Prediction[][]>;
    /**
     * Memory in use: bytes of the prepared weights, of the executor's arena (the largest plan so far),
     * the backend, and the number of cached plans.
     * @returns {MemoryInfo}
     */
    memory(): MemoryInfo;
    /** Whether `dispose()` was called. */
    get isDisposed(): boolean;
    /** Frees the arena, the weights and the backend. Later calls throw EDISPOSED; disposing twice is harmless. */
    dispose(): void;
    #private;
}
export type Executor = import("./executor.js").Executor;
export type Graph = import("./executor.js").Graph;
export type Backend = import("./backends/interface.js").Backend;
export type Manifest = import("./loader/manifest.js").Manifest;
export type ModelInput = import("./inputs.js").ModelInput;
export type Prediction = import("./classify.js").Prediction;
export type SelftestResult = import("./selftest.js").SelftestResult;
/**
 * `deviceBytes`: the device memory the backend spans (wasm: its linear memory), when it reports it
 */
export type MemoryInfo = {
    weightsBytes: number;
    arenaBytes: number;
    backend: string;
    plans: number;
    deviceBytes?: number;
};
/**
 * Makes the backend a model moves to when its GPU device is lost (wasm, else js), with its executor.
 */
export type Recover = () => Promise<{
    executor: Executor;
    backend: Backend;
}>;
import { Tensor } from './tensor.js';

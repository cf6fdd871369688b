export type DType = import("../dtypes.js").DType;
export type TypedArray = import("../dtypes.js").TypedArray;
/**
 * A tensor as kernels see it: a typed array (often a view into the arena) with its shape and dtype.
 * `packed` is free for a backend's own prepared form of a weight (e.g. a pre-packed GEMM panel).
 */
export type View = {
    data: TypedArray;
    shape: readonly number[];
    dtype: DType;
    packed?: unknown;
};
export type Attrs = Readonly<Record<string, any>>;
/**
 * A kernel: reads `inputs` (null for an absent optional input; every input of a variadic op), writes
 * every element of the preallocated `output`. It must not keep references to the views after
 * returning, and must not allocate per element (scratch space may be cached).
 */
export type Kernel = (inputs: (View | null)[], attrs: Attrs, output: View) => void;
export type Availability = {
    available: boolean;
    reason: string;
};
/**
 * Memory a backend hands the executor for its arena: `byteLength` bytes of `buffer` from `byteOffset`.
 * `buffer` is read on every run, so a backend whose memory can move (a growing WebAssembly.Memory)
 * updates it and the executor re-creates its views.
 */
export type ArenaMemory = {
    buffer: ArrayBuffer;
    byteOffset: number;
    byteLength: number;
};
/**
 * A node of the graph as a backend sees it when preparing weights.
 */
export type GraphNode = {
    name: string;
    op: string;
    inputs: string[];
    outputs: string[];
    attrs: Attrs;
};
/**
 * A backend instance, made for one model by its factory and disposed with it.
 */
export type Backend = {
    /**
     * the registry name ('js', 'wasm', 'webgpu', ...)
     */
    name: string;
    /**
     * one kernel per op it implements, by op name
     */
    kernels: Readonly<Record<string, Kernel>>;
    /**
     *   called once at load with the float32 (dequantized) weights; returns the views kernels will get
     *   (the same ones, copies in the backend's memory, or views with a `packed` form)
     */
    prepareWeights: (weights: Map<string, View>, nodes: readonly GraphNode[]) => Map<string, View>;
    /**
     * memory for the executor's arena
     */
    allocateArena: (byteLength: number) => ArenaMemory;
    /**
     * gives arena memory back
     */
    releaseArena: (memory: ArenaMemory) => void;
    /**
     * bytes the prepared weights take on this backend
     */
    weightsBytes: () => number;
    /**
     * frees everything the backend holds; the instance is unusable after
     */
    dispose: () => void;
    /**
     * which build or device it runs on, for `model.backendReason`
     * (e.g. 'webgrad-relaxed.wasm: relaxed SIMD')
     */
    detail?: string | undefined;
    /**
     * bytes of device memory the instance spans now (wasm: the byte
     * length of its linear memory), reported by `model.memory()`
     */
    deviceBytes?: (() => number) | undefined;
};
/**
 * Options a factory's `create` gets from `loadModel` (backends ignore what is not theirs).
 */
export type BackendOptions = {
    /**
     * wasm: which build (default 'auto': relaxed SIMD
     * when the engine supports it, else SIMD128)
     */
    wasmVariant?: "auto" | "simd" | "relaxed" | undefined;
};
/**
 * What `registerBackend` takes: availability (a reason either way) and a constructor.
 */
export type BackendFactory = {
    /**
     * whether it can run here, and why (not)
     */
    available: () => Availability | Promise<Availability>;
    /**
     * a fresh instance for one model
     */
    create: (options?: BackendOptions) => Backend | Promise<Backend>;
    /**
     * one line for listings
     */
    description?: string | undefined;
};

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
/**
 * Whether a backend can run here, and why (not). `avoidForAuto` (with `available: true`): it can run,
 * but `auto` should pass it over for the next one, for this reason (webgpu on a software adapter).
 */
export type Availability = {
    available: boolean;
    reason: string;
    avoidForAuto?: string;
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
    /**
     * a device backend (webgpu) that runs whole plans itself instead of
     * per-node kernels; `kernels` is then empty and `allocateArena` unused
     */
    runner?: PlanRunner | undefined;
    /**
     * why the device is gone (lost or destroyed), else null;
     * the model then moves to another backend on its next call
     */
    lostReason?: (() => string | null) | undefined;
};
export type Plan = import("../executor.js").Plan;
export type Tensor = import("../tensor.js").Tensor;
/**
 * How a device backend runs the executor's plans (see README.md, "Device backends"). The executor
 * calls `compile` once per plan (per input shapes) and `run` per call; `release` when the plan leaves
 * its cache or at dispose.
 */
export type PlanRunner = {
    /**
     * the ops it runs (Reshape and Flatten need none: they are views)
     */
    ops: ReadonlySet<string>;
    /**
     * places the plan's buffers in device memory and prepares
     * every node's work (programs, pipelines, uniforms, bind groups); throws on a limit it cannot meet
     */
    compile: (plan: Plan) => unknown;
    /**
     * uploads the
     * inputs, runs every node in one submission and returns the outputs as device-resident tensors
     * (read back by `await tensor.data()`)
     */
    run: (plan: Plan, compiled: unknown, inputs: readonly Tensor[]) => Tensor[];
    /**
     * frees what `compile` made
     */
    release: (compiled: unknown) => void;
    /**
     * bytes of device memory the plans' arena takes now
     */
    arenaBytes: () => number;
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
    /**
     * webgpu: the GPU object to use instead of `navigator.gpu` (Node.js:
     * `create([])` from the `webgpu` package)
     */
    gpu?: unknown;
    /**
     * webgpu, for tests and special cases: caps on the
     * device limits the runtime and the programs use (e.g. `{maxStorageBufferBindingSize: 4096}`)
     */
    webgpuLimits?: Record<string, number> | undefined;
    /**
     * webgpu: called once when the device is lost
     */
    onDeviceLost?: ((reason: string) => void) | undefined;
};
/**
 * What `registerBackend` takes: availability (a reason either way) and a constructor.
 */
export type BackendFactory = {
    /**
     * whether it
     * can run here, and why (not); gets the same options as `create` (webgpu: the `gpu` object)
     */
    available: (options?: BackendOptions) => Availability | Promise<Availability>;
    /**
     * a fresh instance for one model
     */
    create: (options?: BackendOptions) => Backend | Promise<Backend>;
    /**
     * starts fetching and compiling, into caches shared by
     * the whole page or process, what `create` will need, so that `loadModel` overlaps it with reading the
     * bundle; allocates nothing per model and never throws (`create` reports what failed)
     */
    preload?: ((options?: BackendOptions) => void) | undefined;
    /**
     * one line for listings
     */
    description?: string | undefined;
};

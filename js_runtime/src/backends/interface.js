/**
 * The backend interface, as JSDoc types (no code). A backend runs the kernels of the op set on its
 * device; the executor (src/executor.js) plans memory and calls the kernels in order. See README.md
 * in this folder for the contract and how a new backend (wasm, webgpu) plugs in.
 * @module
 */

/** @typedef {import('../dtypes.js').DType} DType */
/** @typedef {import('../dtypes.js').TypedArray} TypedArray */

/**
 * A tensor as kernels see it: a typed array (often a view into the arena) with its shape and dtype.
 * `packed` is free for a backend's own prepared form of a weight (e.g. a pre-packed GEMM panel).
 * @typedef {{data: TypedArray, shape: readonly number[], dtype: DType, packed?: unknown}} View
 */

/** @typedef {Readonly<Record<string, any>>} Attrs */

/**
 * A kernel: reads `inputs` (null for an absent optional input; every input of a variadic op), writes
 * every element of the preallocated `output`. It must not keep references to the views after
 * returning, and must not allocate per element (scratch space may be cached).
 * @typedef {(inputs: (View | null)[], attrs: Attrs, output: View) => void} Kernel
 */

/**
 * Whether a backend can run here, and why (not). `avoidForAuto` (with `available: true`): it can run,
 * but `auto` should pass it over for the next one, for this reason (webgpu on a software adapter).
 * @typedef {{available: boolean, reason: string, avoidForAuto?: string}} Availability
 */

/**
 * Memory a backend hands the executor for its arena: `byteLength` bytes of `buffer` from `byteOffset`.
 * `buffer` is read on every run, so a backend whose memory can move (a growing WebAssembly.Memory)
 * updates it and the executor re-creates its views.
 * @typedef {{buffer: ArrayBuffer, byteOffset: number, byteLength: number}} ArenaMemory
 */

/**
 * A node of the graph as a backend sees it when preparing weights.
 * @typedef {{name: string, op: string, inputs: string[], outputs: string[], attrs: Attrs}} GraphNode
 */

/**
 * A backend instance, made for one model by its factory and disposed with it.
 * @typedef {object} Backend
 * @property {string} name the registry name ('js', 'wasm', 'webgpu', ...)
 * @property {Readonly<Record<string, Kernel>>} kernels one kernel per op it implements, by op name
 * @property {(weights: Map<string, View>, nodes: readonly GraphNode[], options?: {plain?: Iterable<string>}) =>
 *   Map<string, View>} prepareWeights called once at load with the float32 (dequantized) weights; returns
 *   the views kernels will get (the same ones, copies in the backend's memory, or views with a `packed`
 *   form). `plain` names weights that training updates in place: they keep the plain layout (no packed
 *   form), so writing their view's data is all an optimizer step needs. A weight stored as int8 or
 *   float16 in the bundle is a float32 view that also carries `stored` (`loader/weights.js`
 *   `LoadedWeight`): reading its `data` dequantizes it and drops `stored`, so a backend that computes
 *   on the stored form (wasm) reads `stored` first.
 * @property {(byteLength: number) => ArenaMemory} allocateArena memory for the executor's arena
 * @property {(memory: ArenaMemory) => void} releaseArena gives arena memory back
 * @property {() => number} weightsBytes bytes the prepared weights take on this backend
 * @property {() => void} dispose frees everything the backend holds; the instance is unusable after
 * @property {number} [threads] threads its kernels run on (wasm with a worker pool; 1 when absent)
 * @property {string} [detail] which build or device it runs on, for `model.backendReason`
 *   (e.g. 'webgrad-relaxed.wasm: relaxed SIMD')
 * @property {() => number} [deviceBytes] bytes of device memory the instance spans now (wasm: the byte
 *   length of its linear memory), reported by `model.memory()`
 * @property {PlanRunner} [runner] a device backend (webgpu) that runs whole plans itself instead of
 *   per-node kernels; `kernels` is then empty and `allocateArena` unused
 * @property {() => string | null} [lostReason] why the device is gone (lost or destroyed), else null;
 *   the model then moves to another backend on its next call
 * @property {(data: Float32Array) => View | null} [adoptArray] training: copies an optimizer slot into
 *   the backend's memory (wasm: linear memory) and returns a view whose `data` the backend keeps
 *   current; null when it cannot (the optimizer then keeps its own array)
 * @property {(kind: 'sgd' | 'adam', arrays: (Float32Array | undefined)[], hyper: number[]) => boolean}
 *   [optimizerUpdate] training: one optimizer update in place by the backend's own kernels, bit-identical
 *   to the JS loops of `train/optimizers.js` (sgd: arrays [w, g, velocity?], hyper [lr, momentum,
 *   nesterov 0/1]; adam: arrays [w, g, m, v], hyper [lr_t, b1, b2, 1 - b1, 1 - b2, epsilon], all
 *   float32 values); false when it did nothing (an array is not in its memory): the JS loop runs then
 */

/** @typedef {import('../executor.js').Plan} Plan */
/** @typedef {import('../tensor.js').Tensor} Tensor */

/**
 * How a device backend runs the executor's plans (see README.md, "Device backends"). The executor
 * calls `compile` once per plan (per input shapes) and `run` per call; `release` when the plan leaves
 * its cache or at dispose.
 * @typedef {object} PlanRunner
 * @property {ReadonlySet<string>} ops the ops it runs (Reshape and Flatten need none: they are views)
 * @property {(plan: Plan) => unknown} compile places the plan's buffers in device memory and prepares
 *   every node's work (programs, pipelines, uniforms, bind groups); throws on a limit it cannot meet
 * @property {(plan: Plan, compiled: unknown, inputs: readonly Tensor[]) => Tensor[]} run uploads the
 *   inputs, runs every node in one submission and returns the outputs as device-resident tensors
 *   (read back by `await tensor.data()`)
 * @property {(compiled: unknown) => void} release frees what `compile` made
 * @property {() => number} arenaBytes bytes of device memory the plans' arena takes now
 */

/**
 * Options a factory's `available` and `create` get from `loadModel`, through `chooseBackend` (backends
 * ignore what is not theirs; after a lost device, the next backend gets `wasmVariant` and `threads` only).
 * @typedef {object} BackendOptions
 * @property {'auto' | 'simd' | 'relaxed'} [wasmVariant] wasm: which build (default 'auto': relaxed SIMD
 *   when the engine supports it, else SIMD128)
 * @property {'auto' | number} [threads] wasm: threads for the kernels (default 'auto'; see `loadModel`)
 * @property {unknown} [gpu] webgpu: the GPU object to use instead of `navigator.gpu` (Node.js:
 *   `create([])` from the `webgpu` package)
 * @property {Record<string, number>} [webgpuLimits] webgpu, for tests and special cases: caps on the
 *   device limits the runtime and the programs use (e.g. `{maxStorageBufferBindingSize: 4096}`)
 * @property {(reason: string) => void} [onDeviceLost] webgpu: called once when the device is lost
 */

/**
 * What `registerBackend` takes: availability (a reason either way) and a constructor.
 * @typedef {object} BackendFactory
 * @property {(options?: BackendOptions) => Availability | Promise<Availability>} available whether it
 *   can run here, and why (not); gets the same options as `create` (webgpu: the `gpu` object)
 * @property {(options?: BackendOptions) => Backend | Promise<Backend>} create a fresh instance for one model
 * @property {(options?: BackendOptions) => void} [preload] starts fetching and compiling, into caches shared by
 *   the whole page or process, what `create` will need; `chooseBackend` calls it for the likely backend
 *   at the start of `loadModel`, so that it overlaps reading the bundle. Allocates nothing per model and
 *   never throws (`create` reports what failed)
 * @property {string} [description] one line for listings
 */

export {};

/**
 * `values` as a typed array of `dtype`: integer dtypes need integers in range, float16 is rounded.
 * @param {ArrayLike<number>} values
 * @param {DType} dtype
 * @param {string} what
 * @returns {TypedArray}
 */
export function convertValues(values: ArrayLike<number>, dtype: DType, what: string): TypedArray;
/**
 * Makes a tensor from a typed array or (nested) array of numbers.
 *
 * `shape` defaults to the nested arrays' shape (or `[length]`); `dtype` defaults to the typed
 * array's (Float32Array -> float32, Int32Array -> int32, Uint8Array -> uint8, Int8Array -> int8,
 * Uint16Array -> float16 bits) or float32 for plain arrays. A typed array of another dtype than
 * `dtype` is converted (integer dtypes need integer values in range). Typed arrays of the right
 * dtype are used without a copy.
 * @param {TypedArray | ArrayLike<number> | unknown[]} data
 * @param {readonly number[]} [shape]
 * @param {DType} [dtype]
 * @returns {Tensor}
 * @example
 * const x = tensor(new Float32Array([1, 2, 3, 4]), [2, 2]);
 * const y = tensor([[1, 2], [3, 4]]);           // float32 [2, 2]
 */
export function tensor(data: TypedArray | ArrayLike<number> | unknown[], shape?: readonly number[], dtype?: DType): Tensor;
/**
 * A tensor from a Tensor (returned as is) or a `{data, shape, dtype}` object; `what` names it in errors.
 * @param {Tensor | TensorLike} x
 * @param {string} what
 * @param {DType} [wantDType] the dtype to convert plain arrays to when no dtype is given
 * @returns {Tensor}
 */
export function toTensor(x: Tensor | TensorLike, what: string, wantDType?: DType): Tensor;
/**
 * A short description of a value's kind for error messages.
 * @param {unknown} x
 */
export function describe(x: unknown): string;
/** @typedef {import('./dtypes.js').DType} DType */
/** @typedef {import('./dtypes.js').TypedArray} TypedArray */
/** @typedef {{data: TypedArray | ArrayLike<number> | unknown[], shape?: readonly number[], dtype?: DType}} TensorLike */
/**
 * Where a tensor's values live when they are not (yet) in a typed array: device memory (a WebGPU
 * buffer) that `read()` copies back once, and `release()` frees without reading. `where` names the
 * device in errors.
 * @typedef {{read: () => Promise<TypedArray>, release: () => void, where: string}} DeviceData
 */
/**
 * A typed array with a shape and a dtype (float16 data are raw half bits in a Uint16Array). A tensor
 * returned by a GPU backend lives in device memory until `await tensor.data()` reads it back (once);
 * `dataSync()` works on it only after that.
 */
export class Tensor {
    /**
     * A tensor whose values are in device memory (made by a GPU backend; read back by `data()`).
     * @param {DeviceData} device
     * @param {readonly number[]} shape
     * @param {DType} dtype
     * @returns {Tensor}
     */
    static onDevice(device: DeviceData, shape: readonly number[], dtype: DType): Tensor;
    /**
     * Wraps `data` as is (no copy, no checks): use {@link tensor} to build one from user data.
     * @param {TypedArray} data
     * @param {readonly number[]} shape
     * @param {DType} dtype
     */
    constructor(data: TypedArray, shape: readonly number[], dtype: DType);
    /** The dims, outermost first (`[]` for a scalar). */
    get shape(): readonly number[];
    /** The element type. */
    get dtype(): import("./dtypes.js").DType;
    /** The number of elements. */
    get size(): number;
    /** Whether `dispose()` was called. */
    get isDisposed(): boolean;
    /** Whether the values are still in device memory only (read them with `await data()`). */
    get onDevice(): boolean;
    /**
     * The values (the tensor's own typed array, row-major); resolves once they are ready. For a tensor
     * in device memory this is the one read-back (later calls return the same array).
     * @returns {Promise<TypedArray>}
     */
    data(): Promise<TypedArray>;
    /**
     * The values (the tensor's own typed array, row-major), synchronously. A tensor still in device
     * memory cannot be read synchronously: `await tensor.data()` first.
     * @returns {TypedArray}
     */
    dataSync(): TypedArray;
    /**
     * The values as (nested) JS arrays of numbers, following the shape.
     * @returns {unknown}
     */
    toArray(): unknown;
    /** Frees the values (and device memory not read back); any later use throws EDISPOSED. Calling it twice is harmless. */
    dispose(): void;
    #private;
}
export type DType = import("./dtypes.js").DType;
export type TypedArray = import("./dtypes.js").TypedArray;
export type TensorLike = {
    data: TypedArray | ArrayLike<number> | unknown[];
    shape?: readonly number[];
    dtype?: DType;
};
/**
 * Where a tensor's values live when they are not (yet) in a typed array: device memory (a WebGPU
 * buffer) that `read()` copies back once, and `release()` frees without reading. `where` names the
 * device in errors.
 */
export type DeviceData = {
    read: () => Promise<TypedArray>;
    release: () => void;
    where: string;
};

/**
 * Tensors: a typed array with a shape and a dtype. `tensor(data, shape, dtype)` makes one; a model's
 * `predict` returns them.
 * @module
 */

import { WebgradError } from './errors.js';
import { STORAGE, checkDType, dtypeOf, floatToHalf } from './dtypes.js';
import { checkShape, sizeOf } from './shapes.js';

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
  /** @type {TypedArray | null} */
  #data;
  /** @type {DeviceData | null} device memory holding the values until they are read back */
  #device = null;
  /** @type {Promise<TypedArray> | null} the read-back in flight */
  #reading = null;
  #disposed = false;
  /** @type {readonly number[]} */
  #shape;
  /** @type {DType} */
  #dtype;

  /**
   * Wraps `data` as is (no copy, no checks): use {@link tensor} to build one from user data.
   * @param {TypedArray} data
   * @param {readonly number[]} shape
   * @param {DType} dtype
   */
  constructor(data, shape, dtype) {
    this.#data = data;
    this.#shape = Object.freeze([...shape]);
    this.#dtype = dtype;
  }

  /**
   * A tensor whose values are in device memory (made by a GPU backend; read back by `data()`).
   * @param {DeviceData} device
   * @param {readonly number[]} shape
   * @param {DType} dtype
   * @returns {Tensor}
   */
  static onDevice(device, shape, dtype) {
    const t = new Tensor(/** @type {TypedArray} */ (/** @type {unknown} */ (null)), shape, dtype);
    t.#device = device;
    return t;
  }

  /** The dims, outermost first (`[]` for a scalar). */
  get shape() {
    return this.#shape;
  }

  /** The element type. */
  get dtype() {
    return this.#dtype;
  }

  /** The number of elements. */
  get size() {
    return sizeOf(this.#shape);
  }

  /** Whether `dispose()` was called. */
  get isDisposed() {
    return this.#disposed;
  }

  /** Whether the values are still in device memory only (read them with `await data()`). */
  get onDevice() {
    return this.#data === null && !this.#disposed;
  }

  /**
   * The values (the tensor's own typed array, row-major); resolves once they are ready. For a tensor
   * in device memory this is the one read-back (later calls return the same array).
   * @returns {Promise<TypedArray>}
   */
  async data() {
    this.#checkLive();
    if (this.#data !== null) return this.#data;
    const device = /** @type {DeviceData} */ (this.#device);
    this.#reading ??= device.read().then((values) => {
      this.#device = null;
      if (this.#disposed) return values;
      this.#data = values;
      return values;
    });
    return this.#reading;
  }

  /**
   * The values (the tensor's own typed array, row-major), synchronously. A tensor still in device
   * memory cannot be read synchronously: `await tensor.data()` first.
   * @returns {TypedArray}
   */
  dataSync() {
    this.#checkLive();
    if (this.#data === null) {
      throw new WebgradError(
        'EBACKEND',
        `tensor ${this.#dtype} [${this.#shape}] is in ${/** @type {DeviceData} */ (this.#device).where} memory: dataSync() cannot read it synchronously; use await tensor.data() (after that, dataSync() works)`,
      );
    }
    return this.#data;
  }

  #checkLive() {
    if (this.#disposed) {
      throw new WebgradError('EDISPOSED', `tensor ${this.#dtype} [${this.#shape}] was used after dispose()`);
    }
  }

  /**
   * The values as (nested) JS arrays of numbers, following the shape.
   * @returns {unknown}
   */
  toArray() {
    const data = this.dataSync();
    /** @param {number} axis @param {number} offset @returns {unknown} */
    const build = (axis, offset) => {
      if (axis === this.#shape.length) return data[offset];
      const stride = sizeOf(this.#shape.slice(axis + 1));
      return Array.from({ length: this.#shape[axis] }, (_, i) => build(axis + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** Frees the values (and device memory not read back); any later use throws EDISPOSED. Calling it twice is harmless. */
  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#data = null;
    if (this.#device && !this.#reading) this.#device.release();
    this.#device = null;
  }
}

/**
 * Flattens nested arrays of numbers, returning the values and the shape they form.
 * @param {unknown[]} nested
 * @param {string} what
 * @returns {{values: number[], shape: number[]}}
 */
function flattenNested(nested, what) {
  /** @type {number[]} */
  const shape = [];
  for (let level = /** @type {unknown} */ (nested); Array.isArray(level); level = level[0]) shape.push(level.length);
  /** @type {number[]} */
  const values = [];
  /** @param {unknown} v @param {number} axis */
  const walk = (v, axis) => {
    if (axis === shape.length) {
      if (typeof v !== 'number') {
        throw new WebgradError(
          'EARG',
          `${what}: expected numbers, got ${v === null ? 'null' : typeof v} ${JSON.stringify(v)}`,
        );
      }
      values.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new WebgradError(
        'ESHAPE',
        `${what}: nested arrays are ragged (expected ${shape[axis]} entries at depth ${axis})`,
      );
    }
    for (const item of v) walk(item, axis + 1);
  };
  walk(nested, 0);
  return { values, shape };
}

/**
 * `values` as a typed array of `dtype`: integer dtypes need integers in range, float16 is rounded.
 * @param {ArrayLike<number>} values
 * @param {DType} dtype
 * @param {string} what
 * @returns {TypedArray}
 */
export function convertValues(values, dtype, what) {
  const out = new STORAGE[dtype](values.length);
  if (dtype === 'float16') {
    for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i]);
    return out;
  }
  if (dtype !== 'float32') {
    const probe = new STORAGE[dtype](1);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      probe[0] = v;
      if (probe[0] !== v) {
        throw new WebgradError(
          'EDTYPE',
          `${what}: value ${v} at index ${i} is not a valid ${dtype} (an integer in range)`,
        );
      }
      out[i] = v;
    }
    return out;
  }
  out.set(values);
  return out;
}

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
export function tensor(data, shape, dtype) {
  return toTensor({ data: /** @type {TypedArray} */ (data), shape, dtype }, 'tensor()');
}

/**
 * A tensor from a Tensor (returned as is) or a `{data, shape, dtype}` object; `what` names it in errors.
 * @param {Tensor | TensorLike} x
 * @param {string} what
 * @param {DType} [wantDType] the dtype to convert plain arrays to when no dtype is given
 * @returns {Tensor}
 */
export function toTensor(x, what, wantDType) {
  if (x instanceof Tensor) {
    if (x.isDisposed)
      throw new WebgradError('EDISPOSED', `${what}: tensor ${x.dtype} [${x.shape}] was used after dispose()`);
    return x;
  }
  if (x === null || typeof x !== 'object' || !('data' in x)) {
    throw new WebgradError('EARG', `${what}: expected a Tensor or {data, shape}, got ${describe(x)}`);
  }
  const { data, shape, dtype } = x;
  if (dtype !== undefined) checkDType(dtype, what);
  const own = dtypeOf(data);
  let values;
  let inferred;
  if (own !== undefined) {
    values = /** @type {TypedArray} */ (data);
    inferred = [values.length];
  } else if (Array.isArray(data)) {
    const flat = flattenNested(data, what);
    values = flat.values;
    inferred = flat.shape;
  } else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new WebgradError(
      'EDTYPE',
      `${what}: data is a ${data.constructor.name}; 64-bit integers are not a dtype of the op set (float32, float16, int32, int8, uint8): convert it, e.g. Int32Array.from(data, Number)`,
    );
  } else if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    values = Array.from(/** @type {ArrayLike<number>} */ (/** @type {unknown} */ (data)));
    inferred = [values.length];
  } else {
    throw new WebgradError('EARG', `${what}: data must be a typed array or an array of numbers, got ${describe(data)}`);
  }
  const dims = shape === undefined ? inferred : checkShape(shape, what);
  if (sizeOf(dims) !== values.length) {
    throw new WebgradError(
      'ESHAPE',
      `${what}: shape [${dims.join(', ')}] needs ${sizeOf(dims)} values, data has ${values.length}`,
    );
  }
  const target = dtype ?? (own !== undefined ? own : (wantDType ?? 'float32'));
  const typed = own === target ? /** @type {TypedArray} */ (values) : convertValues(values, target, what);
  return new Tensor(typed, dims, target);
}

/**
 * A short description of a value's kind for error messages.
 * @param {unknown} x
 */
export function describe(x) {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'object') return `an object with keys [${Object.keys(/** @type {object} */ (x)).join(', ')}]`;
  return `${typeof x} ${String(x).slice(0, 40)}`;
}

/**
 * What every wasm kernel gets: the instance's exports, its memory, a params scratch region, and
 * helpers that turn views into pointers and check return codes.
 * @module
 */

import { WebgradError } from '../../../errors.js';

/** @typedef {import('../../interface.js').View} View */
/** @typedef {import('../../interface.js').Kernel} Kernel */
/** @typedef {(...args: number[]) => number} WasmFn */

/**
 * @typedef {object} Ctx
 * @property {Record<string, WasmFn>} ex the instance's `wg_*` exports
 * @property {WebAssembly.Memory} memory
 * @property {number} params byte offset of a {@link PARAMS_BYTES}-byte scratch region for params structs
 * @property {() => DataView} dv a DataView over the current `memory.buffer`
 * @property {() => ArrayBuffer} buffer the current `memory.buffer` (without calling its getter)
 * @property {(view: View | null) => number} ptr the view's address in linear memory (0 for null)
 * @property {(op: string, rc: number) => void} check throws unless rc is 0; refreshes views if memory grew
 * @property {() => void} sync refreshes the views (calls onGrow) if memory grew since the last look
 * @property {(key: object, check: object, bytes: number, write: (dv: DataView, p: number) => void) => void} paramsFor
 *   puts a node's params struct (`bytes` long) in the params region: written by `write` the first time,
 *   copied from a cache after, keyed by `key` (the step's output view: one per node and plan) while
 *   `check` (its first input view) is the same object
 */

/** Bytes of the params scratch region (params structs, Concat's pointer and size arrays). */
export const PARAMS_BYTES = 4096;

/** Return codes. */
const CODES = /** @type {Record<number, string>} */ ({
  [-1]: 'out of memory (linear memory could not grow)',
  [-2]: 'invalid parameters',
});

/**
 * Makes the context of one instance.
 * @param {Record<string, WasmFn>} ex
 * @param {WebAssembly.Memory} memory
 * @param {number} params
 * @param {() => void} onGrow called after a call that grew (and so moved) the memory
 * @returns {Ctx}
 */
export function makeContext(ex, memory, params, onGrow) {
  /** @type {ArrayBuffer} */
  let buffer = memory.buffer;
  let view = new DataView(buffer);
  let bytes = new Uint8Array(buffer);
  // Growing the memory detaches the old buffer, which then has length 0: checking that is much cheaper
  // than the `memory.buffer` getter (an API call V8 cannot inline), and it runs several times per kernel.
  // A shared memory (the threaded build) never detaches: its getter returns the same object until the
  // memory grows, then a longer one, so there the check is the getter (~20 ns).
  const shared =
    typeof SharedArrayBuffer === 'function' && /** @type {unknown} */ (buffer) instanceof SharedArrayBuffer;
  const sync = () => {
    if (shared ? memory.buffer === buffer : bytes.length !== 0) return;
    buffer = memory.buffer;
    view = new DataView(buffer);
    bytes = new Uint8Array(buffer);
    onGrow();
  };
  // Plans are built once per input shape and their views live as long as the plan, so a node's params
  // are the same bytes on every run: caching them saves the per-call shape arithmetic.
  /** @type {WeakMap<object, {check: object, bytes: Uint8Array}>} */
  const cache = new WeakMap();
  return {
    ex,
    memory,
    params,
    sync,
    dv() {
      sync();
      return view;
    },
    buffer() {
      sync();
      return buffer;
    },
    ptr(v) {
      if (v === null) return 0;
      if (v.data.buffer !== buffer) sync();
      if (v.data.buffer !== buffer)
        throw new WebgradError('EBACKEND', 'wasm backend: a kernel got a tensor that is not in its linear memory');
      return v.data.byteOffset;
    },
    paramsFor(key, check, length, write) {
      sync();
      const hit = cache.get(key);
      if (hit && hit.check === check) {
        bytes.set(hit.bytes, params);
        return;
      }
      write(view, params);
      cache.set(key, { check, bytes: bytes.slice(params, params + length) });
    },
    check(op, rc) {
      sync();
      if (rc !== 0)
        throw new WebgradError('EBACKEND', `wasm kernel wg_${op} returned ${rc}: ${CODES[rc] ?? 'unknown error'}`);
    },
  };
}

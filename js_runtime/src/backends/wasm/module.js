/**
 * Loading the WebAssembly kernels: feature detection (SIMD128, relaxed SIMD) and the compiled module
 * of each variant, fetched once and cached. In Node.js the `.wasm` file next to the package is read
 * with `node:fs/promises` (imported dynamically, so this module stays browser-safe); in browsers it is
 * fetched (`WebAssembly.compileStreaming`, falling back to an ArrayBuffer).
 * @module
 */

import { WebgradError } from '../../errors.js';

/** @typedef {'simd' | 'relaxed'} WasmVariant */

/** The ABI version these glue files speak (`wg_abi_version()`). */
export { ABI_VERSION } from './params.generated.js';

/** The file of each variant, relative to this module. */
export const WASM_FILES = Object.freeze({ simd: 'webgrad-simd.wasm', relaxed: 'webgrad-relaxed.wasm' });
/** The shared-memory build of each variant, for the worker pool (threads/). */
export const THREADED_WASM_FILES = Object.freeze({
  simd: 'webgrad-simd-threads.wasm',
  relaxed: 'webgrad-relaxed-threads.wasm',
});

// (module (func (result v128) v128.const i32x4 0 0 0 0))
const SIMD_PROBE = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 11,
];
// (module (func (result v128) v128.const 0 v128.const 0 v128.const 0 f32x4.relaxed_madd))
const RELAXED_PROBE = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 253, 133, 2, 11,
];

/**
 * What this engine supports.
 * @returns {{wasm: boolean, simd: boolean, relaxed: boolean}}
 */
export function detectFeatures() {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function')
    return { wasm: false, simd: false, relaxed: false };
  const ok = (/** @type {number[]} */ bytes) => {
    try {
      return WebAssembly.validate(new Uint8Array(bytes));
    } catch {
      return false;
    }
  };
  const simd = ok(SIMD_PROBE);
  return { wasm: true, simd, relaxed: simd && ok(RELAXED_PROBE) };
}

/** @type {Map<string, Promise<WebAssembly.Module>>} */
const compiled = new Map();

/**
 * The compiled module of `variant` (cached: compiled once per process or page); `threaded`: its
 * shared-memory build (fetched only by pages that run threads).
 * @param {WasmVariant} variant
 * @param {boolean} [threaded]
 * @returns {Promise<WebAssembly.Module>}
 */
export function compileVariant(variant, threaded = false) {
  const key = `${variant}${threaded ? '-threads' : ''}`;
  let p = compiled.get(key);
  if (!p) {
    // literal URLs, so that bundlers (Vite, webpack, esbuild) see and emit the four assets
    p = compile(
      threaded
        ? variant === 'relaxed'
          ? new URL('../../../wasm/webgrad-relaxed-threads.wasm', import.meta.url)
          : new URL('../../../wasm/webgrad-simd-threads.wasm', import.meta.url)
        : variant === 'relaxed'
          ? new URL('../../../wasm/webgrad-relaxed.wasm', import.meta.url)
          : new URL('../../../wasm/webgrad-simd.wasm', import.meta.url),
    );
    compiled.set(key, p);
    p.catch(() => compiled.delete(key)); // a failed fetch may be retried
  }
  return p;
}

/**
 * @param {URL} url
 * @returns {Promise<WebAssembly.Module>}
 */
async function compile(url) {
  try {
    if (url.protocol === 'file:') {
      const fs = await import('node:fs/promises');
      return await WebAssembly.compile(await fs.readFile(url));
    }
    const response = fetch(url);
    if (typeof WebAssembly.compileStreaming === 'function') {
      try {
        return await WebAssembly.compileStreaming(response);
      } catch {
        // wrong MIME type (application/wasm is required for streaming): fall back to the bytes
      }
    }
    const r = await response;
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return await WebAssembly.compile(await r.arrayBuffer());
  } catch (e) {
    throw new WebgradError('EBACKEND', `wasm backend: cannot load ${url.href}: ${/** @type {Error} */ (e).message}`, {
      cause: e,
    });
  }
}

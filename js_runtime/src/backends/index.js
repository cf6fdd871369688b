/**
 * The backend registry: backends by name, each with an availability check that gives a reason either
 * way. `auto` picks the first available of webgpu, wasm, js, passing over one whose availability
 * says `avoidForAuto` (webgpu on a software adapter) with that reason (see README.md in this folder).
 * @module
 */

import { WebgradError } from '../errors.js';
import { jsBackend } from './js/index.js';
import { wasmBackend } from './wasm/index.js';
import { webgpuBackend } from './webgpu/index.js';

/** @typedef {import('./interface.js').BackendFactory} BackendFactory */
/** @typedef {import('./interface.js').Availability} Availability */
/** @typedef {import('./interface.js').BackendOptions} BackendOptions */

/** The order in which `auto` tries backends. */
export const AUTO_ORDER = Object.freeze(['webgpu', 'wasm', 'js']);

/** @type {Map<string, BackendFactory>} */
const registry = new Map();

/**
 * Registers (or replaces) backend `name`.
 * @param {string} name e.g. 'wasm'
 * @param {BackendFactory} factory `{available(), create(), description?}`
 */
export function registerBackend(name, factory) {
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(name) || name === 'auto') {
    throw new WebgradError('EARG', `registerBackend: name must be a lower-case identifier other than 'auto', got ${JSON.stringify(name)}`);
  }
  if (!factory || typeof factory.available !== 'function' || typeof factory.create !== 'function') {
    throw new WebgradError('EARG', `registerBackend('${name}'): factory must have available() and create() functions`);
  }
  registry.set(name, factory);
}

/**
 * The factory registered as `name`; EBACKEND naming the registered ones if there is none.
 * @param {string} name
 * @returns {BackendFactory}
 */
export function getBackend(name) {
  const factory = registry.get(name);
  if (!factory) {
    throw new WebgradError('EBACKEND', `unknown backend ${JSON.stringify(name)}; registered: ${[...registry.keys()].join(', ')} (or 'auto')`);
  }
  return factory;
}

/**
 * Whether backend `name` can run here, and why (not). Never throws: an unknown name or a failing
 * check is reported as unavailable with the reason.
 * @param {string} name
 * @param {BackendOptions} [options] what `loadModel` would pass the backend (webgpu: the `gpu` object)
 * @returns {Promise<Availability>}
 */
export async function checkBackend(name, options) {
  const factory = registry.get(name);
  if (!factory) return { available: false, reason: `unknown backend; registered: ${[...registry.keys()].join(', ')}` };
  try {
    const a = await factory.available(options);
    /** @type {Availability} */
    const out = { available: Boolean(a.available), reason: String(a.reason) };
    if (a.available && a.avoidForAuto) out.avoidForAuto = String(a.avoidForAuto);
    return out;
  } catch (e) {
    return { available: false, reason: `availability check failed: ${/** @type {Error} */ (e).message}` };
  }
}

/**
 * Every registered backend with its availability, in `auto` order first.
 * @returns {Promise<{name: string, available: boolean, reason: string, description: string}[]>}
 */
export async function listBackends() {
  const names = [...AUTO_ORDER.filter((n) => registry.has(n)), ...[...registry.keys()].filter((n) => !AUTO_ORDER.includes(n))];
  return Promise.all(names.map(async (name) => ({ name, ...(await checkBackend(name)), description: registry.get(name)?.description ?? '' })));
}

/**
 * The backends to try for a request, with the reason for the choice: `auto` lists the available ones
 * in {@link AUTO_ORDER} (the loader takes the first that can run the model); a name gives that one
 * backend or EBACKEND (unknown, or unavailable with its reason).
 * @param {string} request 'auto' or a backend name
 * @param {BackendOptions} [options] passed to the availability checks
 * @returns {Promise<{candidates: string[], skipped: string[]}>} `skipped` holds 'name: reason' lines
 */
export async function resolveBackend(request, options) {
  if (typeof request !== 'string') throw new WebgradError('EARG', `backend must be a string, got ${typeof request}`);
  if (request !== 'auto') {
    getBackend(request);
    const a = await checkBackend(request, options);
    if (!a.available) throw new WebgradError('EBACKEND', `backend '${request}' is not available here: ${a.reason}`);
    return { candidates: [request], skipped: [] };
  }
  /** @type {string[]} */
  const candidates = [];
  /** @type {string[]} */
  const skipped = [];
  for (const name of AUTO_ORDER) {
    const a = await checkBackend(name, options);
    if (a.available && !a.avoidForAuto) candidates.push(name);
    else skipped.push(`${name}: ${a.avoidForAuto ?? a.reason}`);
  }
  return { candidates, skipped };
}

/**
 * Starts loading what `request` will most likely run on (see `BackendFactory.preload`), so that it
 * overlaps with reading a bundle. For 'auto' that is wasm unless a GPU object is at hand (then the
 * adapter decides, later). Never throws.
 * @param {string} request
 * @param {BackendOptions} options
 */
export function preloadBackend(request, options) {
  const gpuAtHand = Boolean(options.gpu ?? /** @type {any} */ (globalThis).navigator?.gpu);
  const name = request === 'auto' ? (gpuAtHand ? null : 'wasm') : request;
  try {
    if (name) registry.get(name)?.preload?.(options);
  } catch {
    // create() reports it
  }
}

registerBackend('js', jsBackend);
registerBackend('wasm', wasmBackend);
registerBackend('webgpu', webgpuBackend);

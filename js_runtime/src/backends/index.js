/**
 * The backend registry (backends by name, each with an availability check that gives a reason either
 * way) and `chooseBackend`, the one place that decides which backend runs a model: `auto` order
 * ({@link AUTO_ORDER}), availability, kernels, the reason, preload and the fallback after a lost device
 * (see README.md in this folder).
 * @module
 */

import { WebgradError } from '../errors.js';
import { ALIAS_OPS, supportsOp } from '../executor.js';
import { track } from '../resources.js';
import { jsBackend } from './js/index.js';
import { wasmBackend } from './wasm/index.js';
import { webgpuBackend } from './webgpu/index.js';

/** @typedef {import('./interface.js').BackendFactory} BackendFactory */
/** @typedef {import('./interface.js').Availability} Availability */
/** @typedef {import('./interface.js').BackendOptions} BackendOptions */
/** @typedef {import('./interface.js').Backend} Backend */
/** @typedef {import('../executor.js').Graph} Graph */

/**
 * The order in which `auto` tries backends; the fallback after a lost device takes the ones after the
 * lost one. The only place the order is written.
 */
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
    throw new WebgradError(
      'EARG',
      `registerBackend: name must be a lower-case identifier other than 'auto', got ${JSON.stringify(name)}`,
    );
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
    throw new WebgradError(
      'EBACKEND',
      `unknown backend ${JSON.stringify(name)}; registered: ${[...registry.keys()].join(', ')} (or 'auto')`,
    );
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
  const names = [
    ...AUTO_ORDER.filter((n) => registry.has(n)),
    ...[...registry.keys()].filter((n) => !AUTO_ORDER.includes(n)),
  ];
  return Promise.all(
    names.map(async (name) => ({
      name,
      ...(await checkBackend(name)),
      description: registry.get(name)?.description ?? '',
    })),
  );
}

/**
 * What `chooseBackend` is asked for: 'auto', a backend name, or `{afterLost: name}` for the backend a
 * model moves to when the device of backend `name` is lost.
 * @typedef {string | {afterLost: string}} BackendRequest
 */

/**
 * Options of `chooseBackend`: what each backend's `available` and `create` get, and `accept`.
 * @template T
 * @typedef {BackendOptions & {accept?: (instance: Backend) => T | Promise<T>}} ChooseOptions
 *   `accept`: called on a candidate that has every kernel (e.g. to prepare the weights and run the
 *   self-test); its result comes back as `accepted`. If it throws, the candidate is disposed; with
 *   `{afterLost}` the next one is tried, else the error is thrown.
 */

/**
 * The one place that chooses a backend for a graph; `loadModel` calls it once at load and once more if
 * the device is lost.
 *
 * - a name: that backend, or EBACKEND if it is unknown, unavailable (with the reason) or has no kernel
 *   for an op of the graph (naming the ops);
 * - `'auto'`: the first backend of {@link AUTO_ORDER} that is available (and not `avoidForAuto`) and has
 *   a kernel for every op; the others are named with their reasons in `reason`;
 * - `{afterLost: name}`: the backends of {@link AUTO_ORDER} after the lost one (every other one for a
 *   backend not in it), each as if named; any failure (unavailable, `create`, a missing kernel,
 *   `accept`) moves on to the next, and EBACKEND lists them all when none is left.
 *
 * For a name or 'auto' it starts the likely backend's `preload` synchronously, at the call, so pass
 * `graph` as a promise while the bundle is still being read; nothing else happens before it resolves
 * (a rejected `graph` rejects with its error and creates nothing). Every instance created is counted
 * in `liveResources().backends` and disposed with {@link disposeBackend} if it is not the one returned.
 * @template T
 * @param {BackendRequest} request
 * @param {Graph | Promise<Graph>} graph the model's graph (its ops decide which backends can run it)
 * @param {ChooseOptions<T>} [options]
 * @returns {Promise<{instance: Backend, reason: string, accepted: T | undefined}>} `reason` for
 *   `model.backendReason`, e.g. "auto: picked 'wasm': ... (the first available of webgpu, wasm, js);
 *   skipped webgpu: navigator.gpu is missing ..."
 */
export async function chooseBackend(request, graph, options = {}) {
  const { accept, ...backendOptions } = options;
  if (typeof request === 'string') preload(request, backendOptions);
  const ops = opsOf(await graph);
  if (request !== null && typeof request === 'object' && typeof request.afterLost === 'string') {
    return chooseAfterLost(request.afterLost, ops, backendOptions, accept);
  }
  if (typeof request !== 'string') throw new WebgradError('EARG', `backend must be a string, got ${typeof request}`);
  if (request !== 'auto') {
    await checkNamed(request, backendOptions);
    const made = await instantiate(request, ops, backendOptions, accept);
    if (!made.instance) throw new WebgradError('EBACKEND', made.missing);
    return {
      instance: made.instance,
      reason: `requested '${request}'${detailOf(made.instance)}`,
      accepted: made.accepted,
    };
  }
  /** @type {string[]} 'name: reason' of each backend passed over */
  const skipped = [];
  /** @type {string[]} */
  const candidates = [];
  for (const name of AUTO_ORDER) {
    const a = await checkBackend(name, backendOptions);
    if (a.available && !a.avoidForAuto) candidates.push(name);
    else skipped.push(`${name}: ${a.avoidForAuto ?? a.reason}`);
  }
  for (const name of candidates) {
    // a backend without a kernel for this graph is passed over; any other failure is reported
    const made = await instantiate(name, ops, backendOptions, accept);
    if (!made.instance) {
      skipped.push(`${name}: ${made.missing}`);
      continue;
    }
    const why = skipped.length ? `; skipped ${skipped.join('; ')}` : '';
    return {
      instance: made.instance,
      reason: `auto: picked '${name}'${detailOf(made.instance)} (the first available of ${AUTO_ORDER.join(', ')})${why}`,
      accepted: made.accepted,
    };
  }
  throw new WebgradError('EBACKEND', `no backend can run this model: ${skipped.join('; ')}`);
}

/**
 * The fallback after a lost device: see {@link chooseBackend}.
 * @template T
 * @param {string} lost the backend whose device was lost
 * @param {string[]} ops
 * @param {BackendOptions} options
 * @param {((instance: Backend) => T | Promise<T>) | undefined} accept
 * @returns {Promise<{instance: Backend, reason: string, accepted: T | undefined}>}
 */
async function chooseAfterLost(lost, ops, options, accept) {
  const at = AUTO_ORDER.indexOf(lost);
  const order = at >= 0 ? AUTO_ORDER.slice(at + 1) : AUTO_ORDER.filter((n) => n !== lost);
  /** @type {string[]} */
  const why = [];
  for (const name of order) {
    try {
      await checkNamed(name, options);
      const made = await instantiate(name, ops, options, accept);
      if (!made.instance) throw new WebgradError('EBACKEND', made.missing);
      return {
        instance: made.instance,
        reason: `moved to '${name}'${detailOf(made.instance)} after the ${lost} device was lost`,
        accepted: made.accepted,
      };
    } catch (e) {
      why.push(`${name}: ${/** @type {Error} */ (e).message}`);
    }
  }
  throw new WebgradError(
    'EBACKEND',
    `the ${lost} device was lost and no CPU backend can take over: ${why.join('; ') || `no backend after '${lost}' in ${AUTO_ORDER.join(', ')}`}`,
  );
}

/**
 * EBACKEND unless backend `name` is registered and available here (with the reason).
 * @param {string} name
 * @param {BackendOptions} options
 */
async function checkNamed(name, options) {
  getBackend(name);
  const a = await checkBackend(name, options);
  if (!a.available) throw new WebgradError('EBACKEND', `backend '${name}' is not available here: ${a.reason}`);
}

/**
 * A new instance of backend `name` (counted in `liveResources`) that `accept` took, or, when it has
 * no kernel for some op of `ops`, `missing`: why (the instance is then disposed, as when `accept` throws).
 * @template T
 * @param {string} name
 * @param {string[]} ops
 * @param {BackendOptions} options
 * @param {((instance: Backend) => T | Promise<T>) | undefined} accept
 * @returns {Promise<{instance: Backend, accepted: T | undefined} | {instance: null, missing: string}>}
 */
async function instantiate(name, ops, options, accept) {
  const instance = await getBackend(name).create(options);
  track('backends', 1);
  try {
    const missing = ops.filter((op) => !supportsOp(instance, op));
    if (missing.length) {
      disposeBackend(instance);
      return { instance: null, missing: `backend '${name}' has no kernel for ${missing.join(', ')}` };
    }
    return { instance, accepted: accept ? await accept(instance) : undefined };
  } catch (e) {
    disposeBackend(instance);
    throw e;
  }
}

/**
 * The ops of `graph` a backend must run (the executor makes Reshape and Flatten views itself).
 * @param {Graph} graph
 * @returns {string[]}
 */
function opsOf(graph) {
  return [...new Set(graph.nodes.map((n) => n.op))].filter((op) => !ALIAS_OPS.has(op));
}

/** @param {Backend} instance @returns {string} ': detail' or '' */
function detailOf(instance) {
  return instance.detail ? `: ${instance.detail}` : '';
}

/**
 * Starts loading what `request` will most likely run on (see `BackendFactory.preload`), so that it
 * overlaps with reading a bundle: the named backend; for 'auto', the first of {@link AUTO_ORDER},
 * passing over webgpu when no GPU object is at hand (its availability will say no), so that with one
 * at hand webgpu's adapter decides later and nothing is preloaded. Never throws.
 * @param {string} request
 * @param {BackendOptions} options
 */
function preload(request, options) {
  const gpuAtHand = Boolean(options.gpu ?? /** @type {any} */ (globalThis).navigator?.gpu);
  const name = request === 'auto' ? AUTO_ORDER.find((n) => n !== 'webgpu' || gpuAtHand) : request;
  try {
    if (name) registry.get(name)?.preload?.(options);
  } catch {
    // create() reports it
  }
}

/**
 * Disposes a backend instance and updates the live-resource counters (`backends`, `weightsBytes`).
 * @param {Backend} backend
 */
export function disposeBackend(backend) {
  track('weightsBytes', -backend.weightsBytes());
  backend.dispose();
  track('backends', -1);
}

registerBackend('js', jsBackend);
registerBackend('wasm', wasmBackend);
registerBackend('webgpu', webgpuBackend);

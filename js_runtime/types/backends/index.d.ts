/**
 * Registers (or replaces) backend `name`.
 * @param {string} name e.g. 'wasm'
 * @param {BackendFactory} factory `{available(), create(), description?}`
 */
export function registerBackend(name: string, factory: BackendFactory): void;
/**
 * The factory registered as `name`; EBACKEND naming the registered ones if there is none.
 * @param {string} name
 * @returns {BackendFactory}
 */
export function getBackend(name: string): BackendFactory;
/**
 * Whether backend `name` can run here, and why (not). Never throws: an unknown name or a failing
 * check is reported as unavailable with the reason.
 * @param {string} name
 * @param {BackendOptions} [options] what `loadModel` would pass the backend (webgpu: the `gpu` object)
 * @returns {Promise<Availability>}
 */
export function checkBackend(name: string, options?: BackendOptions): Promise<Availability>;
/**
 * Every registered backend with its availability, in `auto` order first.
 * @returns {Promise<{name: string, available: boolean, reason: string, description: string}[]>}
 */
export function listBackends(): Promise<{
    name: string;
    available: boolean;
    reason: string;
    description: string;
}[]>;
/**
 * The backends to try for a request, with the reason for the choice: `auto` lists the available ones
 * in {@link AUTO_ORDER} (the loader takes the first that can run the model); a name gives that one
 * backend or EBACKEND (unknown, or unavailable with its reason).
 * @param {string} request 'auto' or a backend name
 * @param {BackendOptions} [options] passed to the availability checks
 * @returns {Promise<{candidates: string[], skipped: string[]}>} `skipped` holds 'name: reason' lines
 */
export function resolveBackend(request: string, options?: BackendOptions): Promise<{
    candidates: string[];
    skipped: string[];
}>;
/**
 * Starts loading what `request` will most likely run on (see `BackendFactory.preload`), so that it
 * overlaps with reading a bundle. For 'auto' that is wasm unless a GPU object is at hand (then the
 * adapter decides, later). Never throws.
 * @param {string} request
 * @param {BackendOptions} options
 */
export function preloadBackend(request: string, options: BackendOptions): void;
/** @typedef {import('./interface.js').BackendFactory} BackendFactory */
/** @typedef {import('./interface.js').Availability} Availability */
/** @typedef {import('./interface.js').BackendOptions} BackendOptions */
/** The order in which `auto` tries backends. */
export const AUTO_ORDER: readonly string[];
export type BackendFactory = import("./interface.js").BackendFactory;
export type Availability = import("./interface.js").Availability;
export type BackendOptions = import("./interface.js").BackendOptions;

/**
 * Counters of what the runtime holds right now (models, backend instances, arena and weight bytes),
 * so tests and apps can check that a disposed model, or a load that failed, leaves nothing behind.
 * @module
 */

const live = { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 };

/**
 * Adds `delta` to counter `key`.
 * @param {keyof typeof live} key
 * @param {number} delta
 */
export function track(key, delta) {
  live[key] += delta;
}

/**
 * What the runtime holds now: live models, backend instances, bytes of executor arenas and of
 * prepared weights. All zero when every model is disposed.
 * @returns {{models: number, backends: number, arenaBytes: number, weightsBytes: number}}
 */
export function liveResources() {
  return { ...live };
}

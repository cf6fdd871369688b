/**
 * Adds `delta` to counter `key`.
 * @param {keyof typeof live} key
 * @param {number} delta
 */
export function track(key: keyof typeof live, delta: number): void;
/**
 * What the runtime holds now: live models, backend instances, bytes of executor arenas and of
 * prepared weights. All zero when every model is disposed.
 * @returns {{models: number, backends: number, arenaBytes: number, weightsBytes: number}}
 */
export function liveResources(): {
    models: number;
    backends: number;
    arenaBytes: number;
    weightsBytes: number;
};
declare namespace live {
    let models: number;
    let backends: number;
    let arenaBytes: number;
    let weightsBytes: number;
}
export {};

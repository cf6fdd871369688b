/** @typedef {import('./_types.js').Limits} Limits */
/**
 * The 1-D workgroup size to use: `want`, capped by the device's x size and invocation limits.
 * @param {Limits} limits
 * @param {number} [want]
 */
export function groupSize(limits: Limits, want?: number): number;
/**
 * A dispatch of `groups` workgroups, folded into x * y when x alone would exceed
 * `maxComputeWorkgroupsPerDimension`; the shader recovers the index as `wid.x + wid.y * nwg.x`
 * (`group_index` in _grid.wgsl) and returns past the end.
 * @param {string} op for the error message
 * @param {number} groups
 * @param {Limits} limits
 * @returns {[number, number, number]}
 */
export function fold(op: string, groups: number, limits: Limits): [number, number, number];
/**
 * A 1-D pass over `n` items with `size` invocations per group: its dispatch and constants.
 * @param {string} op
 * @param {number} n
 * @param {Limits} limits
 * @param {number} [want] preferred workgroup size
 */
export function linear(op: string, n: number, limits: Limits, want?: number): {
    constants: {
        WG_X: number;
    };
    dispatch: [number, number, number];
};
export type Limits = import("./_types.js").Limits;

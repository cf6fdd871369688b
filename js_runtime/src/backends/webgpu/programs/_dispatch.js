/**
 * Workgroup sizes and dispatch grids within the device limits.
 * @module
 */
import { gpuLimit } from './_errors.js';

/** @typedef {import('./_types.js').Limits} Limits */

/**
 * The 1-D workgroup size to use: `want`, capped by the device's x size and invocation limits.
 * @param {Limits} limits
 * @param {number} [want]
 */
export function groupSize(limits, want = 256) {
  return Math.min(want, limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup);
}

/**
 * A dispatch of `groups` workgroups, folded into x * y when x alone would exceed
 * `maxComputeWorkgroupsPerDimension`; the shader recovers the index as `wid.x + wid.y * nwg.x`
 * (`group_index` in _grid.wgsl) and returns past the end.
 * @param {string} op for the error message
 * @param {number} groups
 * @param {Limits} limits
 * @returns {[number, number, number]}
 */
export function fold(op, groups, limits) {
  const max = limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [Math.max(groups, 1), 1, 1];
  const y = Math.ceil(groups / max);
  if (y > max) throw gpuLimit(op, `${groups} workgroups exceed maxComputeWorkgroupsPerDimension^2 = ${max * max}`);
  return [Math.ceil(groups / y), y, 1];
}

/**
 * A 1-D pass over `n` items with `size` invocations per group: its dispatch and constants.
 * @param {string} op
 * @param {number} n
 * @param {Limits} limits
 * @param {number} [want] preferred workgroup size
 */
export function linear(op, n, limits, want = 256) {
  const size = groupSize(limits, want);
  return { constants: { WG_X: size }, dispatch: fold(op, Math.ceil(n / size), limits) };
}

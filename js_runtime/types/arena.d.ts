/**
 * A buffer to place: `size` bytes, live from step `def` through step `last` (inclusive).
 * @typedef {{size: number, def: number, last: number}} BufferLife
 */
/**
 * Rounds `n` up to a multiple of {@link ALIGN}.
 * @param {number} n
 */
export function alignUp(n: number): number;
/**
 * Places `buffers` in one arena. Returns each buffer's byte offset (same order) and the arena size.
 * @param {readonly BufferLife[]} buffers
 * @returns {{offsets: number[], size: number}}
 */
export function planArena(buffers: readonly BufferLife[]): {
    offsets: number[];
    size: number;
};
/**
 * The memory planner: places buffers with known lifetimes in ONE arena, reusing the space of buffers
 * that are dead. Greedy, in definition order: each new buffer takes the smallest free interval that
 * fits (best fit), else grows the arena at its end (extending a free interval that touches the end);
 * a buffer's interval is freed after its last use. A buffer is allocated before the buffers its
 * step frees are released, so a kernel's output never overlaps its inputs.
 * @module
 */
/** Offsets and sizes are multiples of this (SIMD loads, any typed-array alignment). */
export const ALIGN: 16;
/**
 * A buffer to place: `size` bytes, live from step `def` through step `last` (inclusive).
 */
export type BufferLife = {
    size: number;
    def: number;
    last: number;
};

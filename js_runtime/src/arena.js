/**
 * The memory planner: places buffers with known lifetimes in ONE arena, reusing the space of buffers
 * that are dead. Greedy, in definition order: each new buffer takes the smallest free interval that
 * fits (best fit), else grows the arena at its end (extending a free interval that touches the end);
 * a buffer's interval is freed after its last use. A buffer is allocated before the buffers its
 * step frees are released, so a kernel's output never overlaps its inputs.
 * @module
 */

/** Offsets and sizes are multiples of this (SIMD loads, any typed-array alignment). */
export const ALIGN = 16;

/**
 * A buffer to place: `size` bytes, live from step `def` through step `last` (inclusive).
 * @typedef {{size: number, def: number, last: number}} BufferLife
 */

/**
 * Rounds `n` up to a multiple of {@link ALIGN}.
 * @param {number} n
 */
export function alignUp(n) {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/**
 * Places `buffers` in one arena. Returns each buffer's byte offset (same order) and the arena size.
 * @param {readonly BufferLife[]} buffers
 * @returns {{offsets: number[], size: number}}
 */
export function planArena(buffers) {
  /** @type {{offset: number, size: number}[]} free intervals, sorted by offset, never adjacent */
  const free = [];
  let end = 0;
  const offsets = new Array(buffers.length).fill(0);
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[a].def - buffers[b].def || a - b);
  const steps = [...new Set(buffers.flatMap((b) => [b.def, b.last]))].sort((a, b) => a - b);
  /** @type {Map<number, number[]>} buffers by the step after which they die */
  const dying = new Map();
  buffers.forEach((b, i) => dying.set(b.last, [...(dying.get(b.last) ?? []), i]));
  let next = 0;

  /** @param {number} size */
  const alloc = (size) => {
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      if (free[i].size >= size && (best < 0 || free[i].size < free[best].size)) best = i;
    }
    if (best >= 0) {
      const block = free[best];
      const at = block.offset;
      block.offset += size;
      block.size -= size;
      if (block.size === 0) free.splice(best, 1);
      return at;
    }
    const last = free[free.length - 1];
    if (last && last.offset + last.size === end) {
      free.pop();
      end = last.offset + size;
      return last.offset;
    }
    const at = end;
    end += size;
    return at;
  };

  /** @param {number} offset @param {number} size */
  const release = (offset, size) => {
    let i = 0;
    while (i < free.length && free[i].offset < offset) i++;
    free.splice(i, 0, { offset, size });
    if (i + 1 < free.length && offset + size === free[i + 1].offset) {
      free[i].size += free[i + 1].size;
      free.splice(i + 1, 1);
    }
    if (i > 0 && free[i - 1].offset + free[i - 1].size === offset) {
      free[i - 1].size += free[i].size;
      free.splice(i, 1);
    }
  };

  for (const step of steps) {
    while (next < order.length && buffers[order[next]].def === step) {
      const b = order[next++];
      const size = alignUp(buffers[b].size);
      if (size > 0) offsets[b] = alloc(size);
    }
    for (const i of dying.get(step) ?? []) {
      const size = alignUp(buffers[i].size);
      if (size > 0) release(offsets[i], size);
    }
  }
  return { offsets, size: end };
}

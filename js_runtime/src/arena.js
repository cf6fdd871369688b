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
 * O(n log n): the free intervals are kept in a tree ordered by (size, offset), which gives the best fit
 * (the smallest interval that fits, the lowest offset among equals), and in maps by start and by end,
 * which give the neighbours a freed interval merges with.
 * @param {readonly BufferLife[]} buffers
 * @returns {{offsets: number[], size: number}}
 */
export function planArena(buffers) {
  const bySize = new FreeTree();
  /** @type {Map<number, FreeBlock>} free intervals by start offset (never adjacent: merged on release) */
  const byStart = new Map();
  /** @type {Map<number, FreeBlock>} the same by end offset */
  const byEnd = new Map();
  let end = 0;
  const offsets = new Array(buffers.length).fill(0);
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[a].def - buffers[b].def || a - b);
  const steps = [...new Set(buffers.flatMap((b) => [b.def, b.last]))].sort((a, b) => a - b);
  /** @type {Map<number, number[]>} buffers by the step after which they die */
  const dying = new Map();
  buffers.forEach((b, i) => {
    const list = dying.get(b.last);
    if (list) list.push(i);
    else dying.set(b.last, [i]);
  });
  let next = 0;

  /** @param {FreeBlock} block */
  const add = (block) => {
    bySize.insert(block);
    byStart.set(block.offset, block);
    byEnd.set(block.offset + block.size, block);
  };
  /** @param {FreeBlock} block */
  const remove = (block) => {
    bySize.remove(block);
    byStart.delete(block.offset);
    byEnd.delete(block.offset + block.size);
  };

  /** @param {number} size */
  const alloc = (size) => {
    const block = bySize.lowerBound(size);
    if (block) {
      remove(block);
      const at = block.offset;
      if (block.size > size) add({ offset: at + size, size: block.size - size });
      return at;
    }
    const last = byEnd.get(end); // a free interval touching the end grows into the new space
    if (last) {
      remove(last);
      end = last.offset + size;
      return last.offset;
    }
    const at = end;
    end += size;
    return at;
  };

  /** @param {number} offset @param {number} size */
  const release = (offset, size) => {
    const right = byStart.get(offset + size);
    if (right) {
      remove(right);
      size += right.size;
    }
    const left = byEnd.get(offset);
    if (left) {
      remove(left);
      offset = left.offset;
      size += left.size;
    }
    add({ offset, size });
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

/** @typedef {{offset: number, size: number}} FreeBlock */
/** @typedef {{block: FreeBlock, priority: number, left: TreeNode | null, right: TreeNode | null}} TreeNode */

/**
 * Whether block `a` orders before `b`: by size, then by offset.
 * @param {FreeBlock} a @param {FreeBlock} b
 */
function before(a, b) {
  return a.size < b.size || (a.size === b.size && a.offset < b.offset);
}

/**
 * A treap of free blocks ordered by (size, offset): insert, remove and lower bound in O(log n) expected.
 * The priorities come from a fixed-seed generator, so the tree's shape (not its answers, which are
 * unique) is the same on every run.
 */
class FreeTree {
  /** @type {TreeNode | null} */
  root = null;
  seed = 0x9e3779b9;

  #priority() {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }

  /** @param {FreeBlock} block */
  insert(block) {
    const [l, r] = split(this.root, block);
    this.root = merge(merge(l, { block, priority: this.#priority(), left: null, right: null }), r);
  }

  /** @param {FreeBlock} block one that is in the tree (same offset and size) */
  remove(block) {
    /** @type {TreeNode | null} */
    let parent = null;
    let node = this.root;
    while (node && node.block !== block) {
      parent = node;
      node = before(block, node.block) ? node.left : node.right;
    }
    if (!node) return;
    const joined = merge(node.left, node.right);
    if (!parent) this.root = joined;
    else if (parent.left === node) parent.left = joined;
    else parent.right = joined;
  }

  /**
   * The smallest block of at least `size` bytes (the lowest offset among equal sizes), or null.
   * @param {number} size
   */
  lowerBound(size) {
    /** @type {FreeBlock | null} */
    let best = null;
    let node = this.root;
    while (node) {
      if (node.block.size >= size) {
        best = node.block;
        node = node.left;
      } else node = node.right;
    }
    return best;
  }
}

/**
 * Splits a treap into the nodes ordered before `key` and the others.
 * @param {TreeNode | null} node @param {FreeBlock} key
 * @returns {[TreeNode | null, TreeNode | null]}
 */
function split(node, key) {
  if (!node) return [null, null];
  if (before(node.block, key)) {
    const [l, r] = split(node.right, key);
    node.right = l;
    return [node, r];
  }
  const [l, r] = split(node.left, key);
  node.left = r;
  return [l, node];
}

/**
 * Joins two treaps, every node of `a` ordered before every node of `b`.
 * @param {TreeNode | null} a @param {TreeNode | null} b
 * @returns {TreeNode | null}
 */
function merge(a, b) {
  if (!a) return b;
  if (!b) return a;
  if (a.priority > b.priority) {
    a.right = merge(a.right, b);
    return a;
  }
  b.left = merge(a, b.left);
  return b;
}

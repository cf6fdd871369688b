/**
 * VJP of Pad: the interior of g, a Slice over the padded axes (from `before` to `-after`, or to the
 * end when nothing was added after), so dynamic dims such as the batch need no shape (no padding at
 * all: a Slice of nothing, a copy).
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** An end past any axis: Slice clamps it to the axis length. */
const TO_END = 2 ** 31 - 1;

/** @type {VjpRule} */
export const Pad = (ctx, node, g, needs) => {
  if (!needs[0]) return [null];
  /** @type {number[]} */
  const pads = node.attrs.pads;
  /** @type {number[]} */
  const axes = [];
  /** @type {number[]} */
  const starts = [];
  /** @type {number[]} */
  const ends = [];
  for (let d = 0; 2 * d < pads.length; d++) {
    const [before, after] = [pads[2 * d], pads[2 * d + 1]];
    if (!before && !after) continue;
    axes.push(d);
    starts.push(before);
    ends.push(after ? -after : TO_END);
  }
  return [ctx.emit('Slice', [g], { starts, ends, axes, steps: [] }, 'dx')];
};

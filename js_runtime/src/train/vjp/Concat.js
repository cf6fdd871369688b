/**
 * VJP of Concat: each input's part of g, cut out by a Slice along the axis. The offsets come from the
 * inputs' static sizes along the axis, so a concat axis whose size is only known at run time is refused.
 * @module
 */

import { WebgradError } from '../../errors.js';

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Concat = (ctx, node, g, needs) => {
  const rank = ctx.shape(node.outputs[0]).length;
  const axis = node.attrs.axis < 0 ? node.attrs.axis + rank : node.attrs.axis;
  let offset = 0;
  return node.inputs.map((x, k) => {
    const size = ctx.shape(x)[axis];
    if (size === null) {
      throw new WebgradError(
        'ESHAPE',
        `training graph: node '${node.name}' (Concat) joins along axis ${axis}, where input ${k} '${x}' has a size known only at run time; its gradient needs static sizes along the concat axis`,
      );
    }
    const start = offset;
    offset += size;
    if (!needs[k]) return null;
    return ctx.emit('Slice', [g], { starts: [start], ends: [start + size], axes: [axis], steps: [1] }, `d${k}`);
  });
};

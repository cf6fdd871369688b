/**
 * VJP of Transpose: g transposed by the inverse permutation.
 * @module
 */

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Transpose = (ctx, node, g, needs) => {
  if (!needs[0]) return [null];
  /** @type {number[]} */
  const perm = node.attrs.perm;
  const inverse = new Array(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return [ctx.emit('Transpose', [g], { perm: inverse }, 'dx')];
};

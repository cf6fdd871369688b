/**
 * VJP of BatchNorm: the inference form (mean and var are constants): BatchNormGrad for x, scale and bias.
 * @module
 */

import { WebgradError } from '../../errors.js';

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const BatchNorm = (ctx, node, g, needs) => {
  const [x, scale, , mean, variance] = node.inputs;
  if (needs[3] || needs[4]) {
    throw new WebgradError(
      'EGRAPH',
      `training graph: node '${node.name}' (BatchNorm): its moving mean and variance ('${mean}', '${variance}') are statistics, not trainable weights`,
    );
  }
  const epsilon = node.attrs.epsilon;
  return ['x', 'scale', 'bias', null, null].map((wrt, k) =>
    wrt && needs[k] ? ctx.emit('BatchNormGrad', [g, x, scale, mean, variance], { epsilon, wrt }, `d${wrt}`) : null,
  );
};

/**
 * VJP of LeakyRelu: an ActivationGrad node.
 * @module
 */

import { activationGrad } from './_activation.js';

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const LeakyRelu = (ctx, node, g, needs) => {
  return [
    needs[0]
      ? activationGrad(ctx, g, node.inputs[0], node.outputs[0], { activation: 'leaky_relu', alpha: node.attrs.alpha })
      : null,
  ];
};

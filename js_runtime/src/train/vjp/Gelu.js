/**
 * VJP of Gelu: an ActivationGrad node.
 * @module
 */

import { activationGrad } from './_activation.js';

/** @typedef {import('./_context.js').VjpRule} VjpRule */

/** @type {VjpRule} */
export const Gelu = (ctx, node, g, needs) => {
  return [
    needs[0]
      ? activationGrad(ctx, g, node.inputs[0], node.outputs[0], {
          activation: 'gelu',
          approximate: node.attrs.approximate,
        })
      : null,
  ];
};

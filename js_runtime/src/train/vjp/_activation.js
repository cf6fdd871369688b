/**
 * The gradient through an activation `y = act(x)`: an ActivationGrad node (the Python reference's
 * `activation_grad`), or `g` itself for 'none'. Shared by the standalone activation ops and the fused
 * activation of MatMul and Conv2D.
 * @module
 */

/** @typedef {import('./_context.js').VjpContext} VjpContext */

/**
 * Whether the gradient needs the pre-activation `x` (not only `y`): gelu, and leaky_relu with alpha <= 0
 * (where the sign of y no longer tells the side).
 * @param {string} activation @param {number} alpha
 */
export function needsPreActivation(activation, alpha) {
  return activation === 'gelu' || (activation === 'leaky_relu' && !(alpha > 0));
}

/**
 * @param {VjpContext} ctx
 * @param {string} g gradient of y
 * @param {string} x the pre-activation (any tensor of y's shape where {@link needsPreActivation} is false)
 * @param {string} y the activation's output
 * @param {{activation: string, alpha?: number, approximate?: boolean}} act
 * @returns {string}
 */
export function activationGrad(ctx, g, x, y, { activation, alpha = 0.2, approximate = false }) {
  if (activation === 'none') return g;
  return ctx.emit('ActivationGrad', [g, x, y], { activation, alpha, approximate }, `d_${activation}`);
}

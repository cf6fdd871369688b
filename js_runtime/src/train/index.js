/**
 * The training code, as one module that `loadModel(src, { trainable: true })` (and `saveBundle`)
 * import dynamically: the bundler makes it one lazily loaded chunk (autodiff, the VJP rules, the
 * gradient ops' table and shape rules, the trainer, fit, the optimizers, toBundle), so a page that
 * only infers never downloads it. Nothing outside src/train/ imports these modules statically.
 * @module
 */

export { buildTrainingGraph } from './autodiff.js';
export { createTrainer } from './setup.js';
export { saveBundle } from './to_bundle.js';

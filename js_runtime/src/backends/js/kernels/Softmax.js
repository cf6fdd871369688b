import { softmaxKernel } from './_softmax.js';

/** Softmax: exp(x - max(x)) / sum(exp(x - max(x))) along axis; NaN or +Inf in a row makes the row NaN. */
export const Softmax = softmaxKernel('Softmax');

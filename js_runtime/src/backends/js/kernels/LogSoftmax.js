import { softmaxKernel } from './_softmax.js';

/** LogSoftmax: x - max(x) - log(sum(exp(x - max(x)))) along axis; NaN or +Inf in a row makes the row NaN. */
export const LogSoftmax = softmaxKernel('LogSoftmax');

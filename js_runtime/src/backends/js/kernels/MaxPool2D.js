import { poolKernel } from './_pool.js';

/** MaxPool2D: max over KH x KW windows of NHWC x; padding never wins; NaN in a window gives NaN. */
export const MaxPool2D = poolKernel('MaxPool2D');

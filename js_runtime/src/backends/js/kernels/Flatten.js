import { copyKernel } from './_copy.js';

/** Flatten to [prod(x[:axis]), prod(x[axis:])]: the data are copied unchanged. */
export const Flatten = copyKernel;

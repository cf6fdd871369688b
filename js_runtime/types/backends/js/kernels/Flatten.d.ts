/** Flatten to [prod(x[:axis]), prod(x[axis:])]: the data are copied unchanged. */
export const Flatten: typeof copyKernel;
import { copyKernel } from './_copy.js';

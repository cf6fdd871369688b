import { copyKernel } from '../_copy.js';

/**
 * ReshapeLike(g, like): g's row-major data with `like`'s shape (the gradient of Reshape and Flatten); a
 * plain copy here, `like` only decides the shape. The executor may run it as a view instead.
 */
export const ReshapeLike = copyKernel;

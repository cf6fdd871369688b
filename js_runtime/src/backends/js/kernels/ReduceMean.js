import { reduceKernel } from './_reduce.js';

/** ReduceMean: Mean over 'axes' (null: all axes), keepdims optional. */
export const ReduceMean = reduceKernel('ReduceMean');

import { reduceKernel } from './_reduce.js';

/** ReduceSum: Sum over 'axes' (null: all axes), keepdims optional. */
export const ReduceSum = reduceKernel('ReduceSum');

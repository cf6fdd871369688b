/** ReduceSum: Sum over 'axes' (null: all axes), keepdims optional. */
export const ReduceSum: import("../../interface.js").Kernel;

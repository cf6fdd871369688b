/** ReduceMean: Mean over 'axes' (null: all axes), keepdims optional. */
export const ReduceMean: import("../../interface.js").Kernel;

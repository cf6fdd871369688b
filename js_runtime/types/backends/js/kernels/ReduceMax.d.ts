/** ReduceMax: Max (NaN in the reduced group gives NaN) over 'axes' (null: all axes), keepdims optional. */
export const ReduceMax: import("../../interface.js").Kernel;

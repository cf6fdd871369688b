/** AvgPool2D: mean over KH x KW windows of NHWC x, divided by the number of real (unpadded) elements. */
export const AvgPool2D: import("../../interface.js").Kernel;

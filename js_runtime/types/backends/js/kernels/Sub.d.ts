/** Sub: y = a - b with numpy broadcasting. */
export const Sub: import("../../interface.js").Kernel;

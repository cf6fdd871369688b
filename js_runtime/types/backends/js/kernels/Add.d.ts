/** Add: y = a + b with numpy broadcasting. */
export const Add: import("../../interface.js").Kernel;

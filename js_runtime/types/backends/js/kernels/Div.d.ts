/** Div: y = a / b with numpy broadcasting; IEEE division (x/0 = ±Inf, 0/0 = NaN). */
export const Div: import("../../interface.js").Kernel;

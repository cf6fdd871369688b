import { binary } from './_elementwise.js';

/** Div: y = a / b with numpy broadcasting; IEEE division (x/0 = ±Inf, 0/0 = NaN). */
export const Div = binary((a, b) => a / b);

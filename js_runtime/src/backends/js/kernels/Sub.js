import { binary } from './_elementwise.js';

/** Sub: y = a - b with numpy broadcasting. */
export const Sub = binary((a, b) => a - b);

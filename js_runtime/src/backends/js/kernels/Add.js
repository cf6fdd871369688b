import { binary } from './_elementwise.js';

/** Add: y = a + b with numpy broadcasting. */
export const Add = binary((a, b) => a + b);

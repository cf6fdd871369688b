import { binary } from './_elementwise.js';

/** Mul: y = a * b with numpy broadcasting. */
export const Mul = binary((a, b) => a * b);

import { binary } from './_elementwise.js';

/** Minimum: y = min(a, b) with numpy broadcasting; NaN if either is NaN (numpy.minimum). */
export const Minimum = binary((a, b) => (a !== a || b !== b ? NaN : a <= b ? a : b));

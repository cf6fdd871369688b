import { binary } from './_elementwise.js';

/** Maximum: y = max(a, b) with numpy broadcasting; NaN if either is NaN (numpy.maximum). */
export const Maximum = binary((a, b) => (a !== a || b !== b ? NaN : a >= b ? a : b));

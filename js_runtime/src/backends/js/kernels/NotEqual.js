import { binary } from './_elementwise.js';

/** NotEqual: y = 1 where a != b else 0 (a float32 mask), numpy broadcasting; true where either is NaN (IEEE-754). */
export const NotEqual = binary((a, b) => (a !== b ? 1 : 0));

import { binary } from './_elementwise.js';

/** Greater: y = 1 where a > b else 0 (a float32 mask), numpy broadcasting; false where either is NaN (IEEE-754). */
export const Greater = binary((a, b) => (a > b ? 1 : 0));

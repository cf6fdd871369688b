import { tanh } from './_activation.js';
import { unary } from './_elementwise.js';

/** Tanh: y = tanh(x); Tanh(±Inf) = ±1. */
export const Tanh = unary(tanh);

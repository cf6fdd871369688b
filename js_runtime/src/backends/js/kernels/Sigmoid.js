import { sigmoid } from './_activation.js';
import { unary } from './_elementwise.js';

/** Sigmoid: y = 1 / (1 + exp(-x)), without overflow; Sigmoid(-Inf) = 0, Sigmoid(+Inf) = 1. */
export const Sigmoid = unary(sigmoid);

import { unary } from './_elementwise.js';

/** Tanh on webgpu: one invocation per element (Tanh.wgsl.j2). */
export const program = unary('Tanh');

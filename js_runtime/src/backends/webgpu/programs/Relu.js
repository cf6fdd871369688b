import { unary } from './_elementwise.js';

/** Relu on webgpu: one invocation per element (Relu.wgsl.j2). */
export const program = unary('Relu');

import { unary } from './_elementwise.js';

/** Relu6 on webgpu: one invocation per element (Relu6.wgsl.j2). */
export const program = unary('Relu6');

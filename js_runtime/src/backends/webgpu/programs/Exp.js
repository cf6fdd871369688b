import { unary } from './_elementwise.js';

/** Exp on webgpu: one invocation per element (Exp.wgsl.j2). */
export const program = unary('Exp');

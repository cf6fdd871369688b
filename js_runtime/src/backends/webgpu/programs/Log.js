import { unary } from './_elementwise.js';

/** Log on webgpu: one invocation per element (Log.wgsl.j2). */
export const program = unary('Log');

import { unary } from './_elementwise.js';

/** LeakyRelu on webgpu: one invocation per element (LeakyRelu.wgsl.j2). */
export const program = unary('LeakyRelu');

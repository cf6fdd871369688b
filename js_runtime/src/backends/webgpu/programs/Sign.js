import { typedUnary } from './_elementwise.js';

/** Sign on webgpu: one invocation per element, by storage type (Sign.wgsl.j2: `Sign_f32`, `Sign_i32`). */
export const program = typedUnary('Sign');

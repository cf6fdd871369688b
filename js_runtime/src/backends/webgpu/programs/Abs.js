import { typedUnary } from './_elementwise.js';

/** Abs on webgpu: one invocation per element, by storage type (Abs.wgsl.j2: `Abs_f32`, `Abs_i32`). */
export const program = typedUnary('Abs');

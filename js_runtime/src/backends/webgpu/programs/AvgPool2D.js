import { pool } from './_pool.js';

/** AvgPool2D on webgpu: one invocation per output element over its window (_pool.wgsl.j2). */
export const program = pool('AvgPool2D');

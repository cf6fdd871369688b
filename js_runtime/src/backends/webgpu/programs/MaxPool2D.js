import { pool } from './_pool.js';

/** MaxPool2D on webgpu: one invocation per output element over its window (_pool.wgsl.j2). */
export const program = pool('MaxPool2D');

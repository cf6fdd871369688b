/** Tanh on webgpu: one invocation per element (Tanh.wgsl.j2). */
export const program: import("./_types.js").Program;

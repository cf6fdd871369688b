/** Sigmoid on webgpu: one invocation per element (Sigmoid.wgsl.j2). */
export const program: import("./_types.js").Program;

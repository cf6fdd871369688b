/** Sqrt on webgpu: one invocation per element (Sqrt.wgsl.j2). */
export const program: import("./_types.js").Program;

/** Gelu on webgpu: one invocation per element (Gelu.wgsl.j2). */
export const program: import("./_types.js").Program;

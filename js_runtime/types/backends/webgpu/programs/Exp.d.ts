/** Exp on webgpu: one invocation per element (Exp.wgsl.j2). */
export const program: import("./_types.js").Program;

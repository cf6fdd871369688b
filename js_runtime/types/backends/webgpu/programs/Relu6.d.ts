/** Relu6 on webgpu: one invocation per element (Relu6.wgsl.j2). */
export const program: import("./_types.js").Program;

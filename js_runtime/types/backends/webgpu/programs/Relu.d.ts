/** Relu on webgpu: one invocation per element (Relu.wgsl.j2). */
export const program: import("./_types.js").Program;

/** LeakyRelu on webgpu: one invocation per element (LeakyRelu.wgsl.j2). */
export const program: import("./_types.js").Program;

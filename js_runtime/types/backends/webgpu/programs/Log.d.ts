/** Log on webgpu: one invocation per element (Log.wgsl.j2). */
export const program: import("./_types.js").Program;

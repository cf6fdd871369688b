/** Sub on webgpu: numpy broadcasting over collapsed dims (Sub.wgsl.j2). */
export const program: import("./_types.js").Program;

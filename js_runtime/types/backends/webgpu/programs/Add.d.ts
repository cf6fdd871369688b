/** Add on webgpu: numpy broadcasting over collapsed dims (Add.wgsl.j2). */
export const program: import("./_types.js").Program;

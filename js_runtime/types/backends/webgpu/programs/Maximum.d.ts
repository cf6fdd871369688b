/** Maximum on webgpu: numpy broadcasting over collapsed dims (Maximum.wgsl.j2). */
export const program: import("./_types.js").Program;

/** Minimum on webgpu: numpy broadcasting over collapsed dims (Minimum.wgsl.j2). */
export const program: import("./_types.js").Program;

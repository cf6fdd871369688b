/** Mul on webgpu: numpy broadcasting over collapsed dims (Mul.wgsl.j2). */
export const program: import("./_types.js").Program;

/** Div on webgpu: numpy broadcasting over collapsed dims (Div.wgsl.j2). */
export const program: import("./_types.js").Program;

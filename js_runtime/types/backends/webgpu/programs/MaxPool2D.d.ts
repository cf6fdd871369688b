/** MaxPool2D on webgpu: one invocation per output element over its window (_pool.wgsl.j2). */
export const program: import("./_types.js").Program;

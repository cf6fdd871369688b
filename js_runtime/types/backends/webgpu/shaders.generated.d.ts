/** WGSL code per shader key; the contract is webgpu_shaders/README.md. */
/** @type {Readonly<Record<string, string>>} */
export const SHADERS: Readonly<Record<string, string>>;

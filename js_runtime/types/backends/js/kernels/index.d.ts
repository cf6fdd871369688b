/** @type {Readonly<Record<string, import('../../interface.js').Kernel>>} */
export const KERNELS: Readonly<Record<string, import("../../interface.js").Kernel>>;

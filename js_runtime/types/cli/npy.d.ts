/**
 * Parses `.npy` bytes into `{data, shape, dtype}` (float64 data come back as float32).
 * @param {Uint8Array} bytes
 * @param {string} [name] the file name, for messages
 * @returns {{data: Float32Array | Int32Array | Uint8Array | Int8Array, shape: number[], dtype: 'float32' | 'int32' | 'uint8' | 'int8'}}
 */
export function parseNpy(bytes: Uint8Array, name?: string): {
    data: Float32Array | Int32Array | Uint8Array | Int8Array;
    shape: number[];
    dtype: "float32" | "int32" | "uint8" | "int8";
};

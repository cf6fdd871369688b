/**
 * @typedef {{name: string, dtype: import('../dtypes.js').DType, shape: (number | null)[]}} TensorSpecJson
 * @typedef {{name: string, op: string, inputs: string[], outputs: string[], attrs: Record<string, unknown>}} NodeJson
 * @typedef {{file: string, byteLength: number, sha256: string}} ShardJson
 * @typedef {{scheme: 'float16'} | {scheme: 'int8_symmetric', axis: number, scales: number[]}} QuantizationJson
 * @typedef {{name: string, dtype: import('../dtypes.js').DType, shape: number[], offset: number, byteLength: number,
 *   quantization?: QuantizationJson}} TensorJson
 * @typedef {{name: string, dtype: import('../dtypes.js').DType, shape: number[], data: string}} EncodedTensorJson
 * @typedef {{format: string, formatVersion: number, opsetVersion: number, producer: {name: string, version: string},
 *   signature: {inputs: TensorSpecJson[], outputs: TensorSpecJson[]}, graph: {nodes: NodeJson[]},
 *   weights: {shards: ShardJson[], tensors: TensorJson[]}, metadata: Record<string, any>,
 *   selftest: {inputs: EncodedTensorJson[], outputs: EncodedTensorJson[], tolerance: {rtol: number, atol: number}}}} Manifest
 */
/**
 * Parses model.json bytes into an object; EJSON naming `where` if that fails.
 * @param {Uint8Array} bytes
 * @param {string} where
 * @returns {Record<string, unknown>}
 */
export function parseManifest(bytes: Uint8Array, where: string): Record<string, unknown>;
/**
 * Format and versions come before the structure: a newer format may not follow this schema.
 * @param {Record<string, unknown>} m
 * @param {string} where
 */
export function checkVersions(m: Record<string, unknown>, where: string): void;
/**
 * Checks the structure of model.json against the bundle schema (format v1); returns it typed.
 * @param {Record<string, unknown>} m
 * @param {string} where
 * @returns {Manifest}
 */
export function checkStructure(m: Record<string, unknown>, where: string): Manifest;
export const FORMAT: "webgrad-bundle";
export const FORMAT_VERSION: 1;
export type TensorSpecJson = {
    name: string;
    dtype: import("../dtypes.js").DType;
    shape: (number | null)[];
};
export type NodeJson = {
    name: string;
    op: string;
    inputs: string[];
    outputs: string[];
    attrs: Record<string, unknown>;
};
export type ShardJson = {
    file: string;
    byteLength: number;
    sha256: string;
};
export type QuantizationJson = {
    scheme: "float16";
} | {
    scheme: "int8_symmetric";
    axis: number;
    scales: number[];
};
export type TensorJson = {
    name: string;
    dtype: import("../dtypes.js").DType;
    shape: number[];
    offset: number;
    byteLength: number;
    quantization?: QuantizationJson;
};
export type EncodedTensorJson = {
    name: string;
    dtype: import("../dtypes.js").DType;
    shape: number[];
    data: string;
};
export type Manifest = {
    format: string;
    formatVersion: number;
    opsetVersion: number;
    producer: {
        name: string;
        version: string;
    };
    signature: {
        inputs: TensorSpecJson[];
        outputs: TensorSpecJson[];
    };
    graph: {
        nodes: NodeJson[];
    };
    weights: {
        shards: ShardJson[];
        tensors: TensorJson[];
    };
    metadata: Record<string, any>;
    selftest: {
        inputs: EncodedTensorJson[];
        outputs: EncodedTensorJson[];
        tolerance: {
            rtol: number;
            atol: number;
        };
    };
};

/**
 * The op set (opsetVersion 1, 36 ops): names, inputs, attributes
 * with types and defaults, output dtype, shape rule, tolerance and NaN semantics of every op.
 * @module
 */
/**
 * @typedef {{type: 'int' | 'float' | 'bool' | 'ints' | 'string' | 'dtype' | 'padding',
 *   default?: unknown, nullable?: boolean, values?: readonly string[]}} AttrSpec
 * @typedef {{name: string, dtypes: readonly string[], optional?: boolean, variadic?: boolean,
 *   differentiable?: boolean}} InputSpec
 * @typedef {{doc: string, inputs: readonly InputSpec[], attrs: Readonly<Record<string, AttrSpec>>,
 *   output: {dtype: string}, shape: {rule: string, doc: string}, differentiable: boolean,
 *   tolerance: {rtol: number, atol: number}, nan: string}} OpSpec
 * @typedef {{format: string, opsetVersion: number, doc: string,
 *   activations: {doc: string, values: readonly string[]}, ops: Readonly<Record<string, OpSpec>>}} Opset
 */
/** @type {Opset} */
export const OPSET: Opset;
export type AttrSpec = {
    type: "int" | "float" | "bool" | "ints" | "string" | "dtype" | "padding";
    default?: unknown;
    nullable?: boolean;
    values?: readonly string[];
};
export type InputSpec = {
    name: string;
    dtypes: readonly string[];
    optional?: boolean;
    variadic?: boolean;
    differentiable?: boolean;
};
export type OpSpec = {
    doc: string;
    inputs: readonly InputSpec[];
    attrs: Readonly<Record<string, AttrSpec>>;
    output: {
        dtype: string;
    };
    shape: {
        rule: string;
        doc: string;
    };
    differentiable: boolean;
    tolerance: {
        rtol: number;
        atol: number;
    };
    nan: string;
};
export type Opset = {
    format: string;
    opsetVersion: number;
    doc: string;
    activations: {
        doc: string;
        values: readonly string[];
    };
    ops: Readonly<Record<string, OpSpec>>;
};

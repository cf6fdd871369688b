/**
 * Decodes a vector tensor `{dtype, shape, data: base64 little-endian}`.
 * @param {{dtype: DType, shape: number[], data: string}} t
 * @returns {Tensor}
 */
export function decodeVectorTensor(t: {
    dtype: DType;
    shape: number[];
    data: string;
}): Tensor;
/**
 * Every vector file in `dir`, parsed, by op name.
 * @param {string} dir
 * @returns {Promise<{op: string, cases: any[]}[]>}
 */
export function readVectors(dir: string): Promise<{
    op: string;
    cases: any[];
}[]>;
/**
 * Compares `got` with `want` within `tol`: NaN must be NaN, an infinity the same infinity.
 * @param {ArrayLike<number>} got @param {ArrayLike<number>} want @param {Tolerance} tol
 * @returns {{ok: boolean, maxAbs: number, worst: number, at: number}}
 */
export function compare(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance): {
    ok: boolean;
    maxAbs: number;
    worst: number;
    at: number;
};
/**
 * The op × backend matrix over the vectors in `dir`.
 * @param {string} dir the vector directory (tests/vectors in the repository)
 * @param {string[]} backends backend names
 * @param {{ops?: string[], backendOptions?: import('../backends/interface.js').BackendOptions}} [options] only these
 *   ops; options for the backends (e.g. `gpu` for webgpu in Node.js)
 * @returns {Promise<Matrix>}
 */
export function conformance(dir: string, backends: string[], options?: {
    ops?: string[];
    backendOptions?: import("../backends/interface.js").BackendOptions;
}): Promise<Matrix>;
/**
 * The matrix as a markdown table: per cell the max abs error and the share of the tolerance used, ✗ for
 * a failure, — for a skip.
 * @param {Matrix} m
 * @returns {string}
 */
export function formatMatrix(m: Matrix): string;
export type DType = import("../dtypes.js").DType;
export type Tolerance = {
    rtol: number;
    atol: number;
};
/**
 * One cell of the matrix: `status` 'pass' | 'fail' | 'error' | 'skip'; `maxAbs` the largest |got - want|
 * over finite elements; `worst` the largest |got - want| / (atol + rtol |want|) (≤ 1 passes).
 */
export type Cell = {
    status: "pass" | "fail" | "error" | "skip";
    cases: number;
    maxAbs: number;
    worst: number;
    message?: string;
};
/**
 * The result: `cells[backend][op]`; `unavailable[backend]` says why a backend was not run.
 */
export type Matrix = {
    ops: string[];
    backends: string[];
    cells: Record<string, Record<string, Cell>>;
    unavailable: Record<string, string>;
};
import { Tensor } from '../tensor.js';

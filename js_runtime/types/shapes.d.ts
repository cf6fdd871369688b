/** @typedef {number | null} Dim */
/** @typedef {readonly Dim[]} Shape */
/**
 * The number of elements of a known shape (1 for a scalar).
 * @param {readonly number[]} shape
 */
export function sizeOf(shape: readonly number[]): number;
/**
 * The product of dims, or null when one is unknown.
 * @param {Shape} dims
 * @returns {Dim}
 */
export function prod(dims: Shape): Dim;
/**
 * Whether two dims can be equal (an unknown dim agrees with anything).
 * @param {Dim} a
 * @param {Dim} b
 */
export function dimsAgree(a: Dim, b: Dim): boolean;
/**
 * Row-major strides of a known shape.
 * @param {readonly number[]} shape
 */
export function stridesOf(shape: readonly number[]): any[];
/**
 * Checks a user-given shape: an array of non-negative integers. Returns a copy.
 * @param {unknown} shape
 * @param {string} what
 * @returns {number[]}
 */
export function checkShape(shape: unknown, what: string): number[];
/**
 * Formats a shape for messages, e.g. `[null, 28, 28, 1]` (null: an unknown dim).
 * @param {Shape} shape
 */
export function fmt(shape: Shape): string;
/**
 * `axis` in `[-rank, rank)` made non-negative; ESHAPE naming `op` otherwise.
 * @param {string} op
 * @param {number} axis
 * @param {number} rank
 * @param {string} [what]
 */
export function normAxis(op: string, axis: number, rank: number, what?: string): number;
/**
 * Sorted non-negative axes; null means all axes. Duplicates are an error.
 * @param {string} op
 * @param {readonly number[] | null} axes
 * @param {number} rank
 * @returns {number[]}
 */
export function normAxes(op: string, axes: readonly number[] | null, rank: number): number[];
/**
 * numpy broadcasting of two shapes that may hold unknown dims.
 * @param {string} op
 * @param {Shape} a
 * @param {Shape} b
 * @returns {Dim[]}
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): Dim[];
/**
 * ESHAPE unless `shape` has rank `rank` (or at least `rank`).
 * @param {string} op
 * @param {string} name
 * @param {Shape} shape
 * @param {number} rank
 * @param {boolean} [atLeast]
 */
export function needRank(op: string, name: string, shape: Shape, rank: number, atLeast?: boolean): void;
/**
 * ESHAPE unless `shape` (when given) is `[size]`; `of` says where size comes from.
 * @param {string} op
 * @param {string} name
 * @param {Shape | null} shape
 * @param {Dim} size
 * @param {string} of
 */
export function needVector(op: string, name: string, shape: Shape | null, size: Dim, of: string): void;
/**
 * Strides of `inShape` laid over the (right-aligned) broadcast `outShape`: 0 along broadcast dims.
 * @param {readonly number[]} inShape
 * @param {readonly number[]} outShape
 * @returns {number[]}
 */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[];
export type Dim = number | null;
export type Shape = readonly Dim[];

/**
 * `x` without `axes` (kept as 1 with keepdims).
 * @param {Shape} x @param {readonly number[]} axes @param {boolean} keepdims
 * @returns {Dim[]}
 */
export function reducedShape(x: Shape, axes: readonly number[], keepdims: boolean): Dim[];
/**
 * The Reshape output shape: 0 copies the input dim, one -1 is inferred.
 * @param {Shape} x @param {readonly number[]} spec
 * @returns {Dim[]}
 */
export function targetShape(x: Shape, spec: readonly number[]): Dim[];
/**
 * Resolved Slice parameters for an input of `rank` dims: per axis `[start, end, step]` or null (whole).
 * @param {number} rank
 * @param {Attrs} attrs
 * @returns {{axes: number[], starts: number[], ends: number[], steps: number[]}}
 */
export function sliceParams(rank: number, attrs: Attrs): {
    axes: number[];
    starts: number[];
    ends: number[];
    steps: number[];
};
/**
 * numpy's `slice(start, end, step).indices(n)` for a positive step: `[start, count]`.
 * @param {number} n @param {number} start @param {number} end @param {number} step
 * @returns {[number, number]}
 */
export function sliceRange(n: number, start: number, end: number, step: number): [number, number];
/**
 * Checks a node's inputs against the op set (count, presence, dtypes) and applies its shape rule.
 * `shapes[i]`/`dtypes[i]` are null for an absent optional input. Throws ESHAPE / EDTYPE / EGRAPH with
 * a message that starts with the op name (callers prefix the node).
 * @param {string} op
 * @param {(Shape | null)[]} shapes
 * @param {(string | null)[]} dtypes
 * @param {Attrs} attrs
 * @returns {{shape: Dim[], dtype: string}}
 */
export function inferNode(op: string, shapes: (Shape | null)[], dtypes: (string | null)[], attrs: Attrs): {
    shape: Dim[];
    dtype: string;
};
/** The shape rule of every op of the op set, by op name. */
export const SHAPE_RULES: Readonly<Record<string, ShapeRule>>;
export type Dim = import("./shapes.js").Dim;
export type Shape = import("./shapes.js").Shape;
export type Attrs = Record<string, any>;
export type ShapeRule = (shapes: (Shape | null)[], attrs: Attrs) => Dim[];

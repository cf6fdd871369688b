/**
 * Shape helpers shared by the shape rules, the executor and the kernels. A dim may be `null` (unknown,
 * e.g. the dynamic batch) while a bundle is checked at load; at plan time every dim is known.
 * @module
 */

import { WebgradError } from './errors.js';

/** @typedef {number | null} Dim */
/** @typedef {readonly Dim[]} Shape */

/**
 * The number of elements of a known shape (1 for a scalar).
 * @param {readonly number[]} shape
 */
export function sizeOf(shape) {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * The product of dims, or null when one is unknown.
 * @param {Shape} dims
 * @returns {Dim}
 */
export function prod(dims) {
  let n = 1;
  for (const d of dims) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

/**
 * Whether two dims can be equal (an unknown dim agrees with anything).
 * @param {Dim} a
 * @param {Dim} b
 */
export function dimsAgree(a, b) {
  return a === null || b === null || a === b;
}

/**
 * Whether a declared shape (null: any dim) admits an inferred one (null: unknown dim).
 * @param {Shape} declared
 * @param {Shape} inferred
 */
export function compatible(declared, inferred) {
  return (
    declared.length === inferred.length &&
    declared.every((d, i) => d === null || inferred[i] === null || d === inferred[i])
  );
}

/**
 * Row-major strides of a known shape.
 * @param {readonly number[]} shape
 */
export function stridesOf(shape) {
  const out = new Array(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i];
  }
  return out;
}

/**
 * Checks a user-given shape: an array of non-negative integers. Returns a copy.
 * @param {unknown} shape
 * @param {string} what
 * @returns {number[]}
 */
export function checkShape(shape, what) {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new WebgradError(
      'ESHAPE',
      `${what}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  return [...shape];
}

/**
 * Formats a shape for messages, e.g. `[null, 28, 28, 1]` (null: an unknown dim).
 * @param {Shape} shape
 */
export function fmt(shape) {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/**
 * `axis` in `[-rank, rank)` made non-negative; ESHAPE naming `op` otherwise.
 * @param {string} op
 * @param {number} axis
 * @param {number} rank
 * @param {string} [what]
 */
export function normAxis(op, axis, rank, what = 'axis') {
  if (!(axis >= -rank && axis < rank)) {
    throw new WebgradError('ESHAPE', `${op}: ${what} ${axis} is out of range for a rank-${rank} input`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Sorted non-negative axes; null means all axes. Duplicates are an error.
 * @param {string} op
 * @param {readonly number[] | null} axes
 * @param {number} rank
 * @returns {number[]}
 */
export function normAxes(op, axes, rank) {
  if (axes === null) return Array.from({ length: rank }, (_, i) => i);
  const out = axes.map((a) => normAxis(op, a, rank, 'axes entry')).sort((a, b) => a - b);
  if (new Set(out).size !== out.length) {
    throw new WebgradError('ESHAPE', `${op}: axes [${axes.join(', ')}] name an axis twice`);
  }
  return out;
}

/**
 * numpy broadcasting of two shapes that may hold unknown dims.
 * @param {string} op
 * @param {Shape} a
 * @param {Shape} b
 * @returns {Dim[]}
 */
export function broadcastShapes(op, a, b) {
  const n = Math.max(a.length, b.length);
  /** @type {Dim[]} */
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = i < a.length ? a[a.length - 1 - i] : 1;
    const y = i < b.length ? b[b.length - 1 - i] : 1;
    let d;
    if (x === 1) d = y;
    else if (y === 1 || y === null || x === y) d = x;
    else if (x === null) d = y;
    else throw new WebgradError('ESHAPE', `${op}: shapes ${fmt(a)} and ${fmt(b)} do not broadcast`);
    out[n - 1 - i] = d;
  }
  return out;
}

/**
 * ESHAPE unless `shape` has rank `rank` (or at least `rank`).
 * @param {string} op
 * @param {string} name
 * @param {Shape} shape
 * @param {number} rank
 * @param {boolean} [atLeast]
 */
export function needRank(op, name, shape, rank, atLeast = false) {
  if (atLeast ? shape.length < rank : shape.length !== rank) {
    throw new WebgradError(
      'ESHAPE',
      `${op}: ${name} must have rank ${atLeast ? 'at least ' : ''}${rank}, got shape ${fmt(shape)}`,
    );
  }
}

/**
 * ESHAPE unless `shape` (when given) is `[size]`; `of` says where size comes from.
 * @param {string} op
 * @param {string} name
 * @param {Shape | null} shape
 * @param {Dim} size
 * @param {string} of
 */
export function needVector(op, name, shape, size, of) {
  if (shape === null) return;
  if (shape.length !== 1 || !dimsAgree(shape[0], size)) {
    throw new WebgradError('ESHAPE', `${op}: ${name} must be [${size}] (${of}), got shape ${fmt(shape)}`);
  }
}

/**
 * Strides of `inShape` laid over the (right-aligned) broadcast `outShape`: 0 along broadcast dims.
 * @param {readonly number[]} inShape
 * @param {readonly number[]} outShape
 * @returns {number[]}
 */
export function broadcastStrides(inShape, outShape) {
  const own = stridesOf(inShape);
  const lead = outShape.length - inShape.length;
  return outShape.map((_, d) => (d < lead || inShape[d - lead] === 1 ? 0 : own[d - lead]));
}

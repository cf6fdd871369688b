/**
 * Shape rules: for every op of the op set, the output shape for given input shapes and attributes
 * (dims may be null while a bundle is checked at load), mirroring the `shape()` of authoring/raw_ops/.
 * `inferNode` also checks input counts and dtypes against the op set and gives the output dtype.
 * @module
 */

import { WebgradError } from './errors.js';
import { OPSET } from './opset.js';
import { broadcastShapes, dimsAgree, fmt, needRank, needVector, normAxes, normAxis, prod } from './shapes.js';
import { poolWindow, windowOf } from './window.js';

/** @typedef {import('./shapes.js').Dim} Dim */
/** @typedef {import('./shapes.js').Shape} Shape */
/** @typedef {Record<string, any>} Attrs */
/** @typedef {(shapes: (Shape | null)[], attrs: Attrs, dtypes?: (string | null)[]) => Dim[]} ShapeRule */

/** @param {string} op @returns {ShapeRule} */
const broadcast = (op) => (s) => broadcastShapes(op, /** @type {Shape} */ (s[0]), /** @type {Shape} */ (s[1]));

/**
 * A comparison (Greater, Equal, ...): the broadcast of a and b, which must have the same dtype.
 * @param {string} op @returns {ShapeRule}
 */
const compare = (op) => (s, _attrs, dtypes) => {
  const [da, db] = dtypes ?? [];
  if (da && db && da !== db)
    throw new WebgradError('EDTYPE', `${op}: a and b must have the same dtype, got ${da} and ${db}`);
  return broadcast(op)(s, _attrs);
};

/** Where(cond, x, y): the broadcast of all three. @type {ShapeRule} */
const where = (s) =>
  broadcastShapes(
    'Where',
    broadcastShapes('Where', /** @type {Shape} */ (s[0]), /** @type {Shape} */ (s[1])),
    /** @type {Shape} */ (s[2]),
  );

/** @param {string} op @param {string} [axisAttr] @returns {ShapeRule} */
const same = (op, axisAttr) => (s, attrs) => {
  const x = /** @type {Shape} */ (s[0]);
  if (axisAttr) normAxis(op, attrs[axisAttr], x.length, axisAttr);
  return [...x];
};

/**
 * `x` without `axes` (kept as 1 with keepdims).
 * @param {Shape} x @param {readonly number[]} axes @param {boolean} keepdims
 * @returns {Dim[]}
 */
export function reducedShape(x, axes, keepdims) {
  const reduced = new Set(axes); // a set: linear in the rank, however many axes
  if (keepdims) return x.map((d, i) => (reduced.has(i) ? 1 : d));
  return x.filter((_, i) => !reduced.has(i));
}

/** @param {string} op @returns {ShapeRule} */
const reduce = (op) => (s, attrs) => {
  const x = /** @type {Shape} */ (s[0]);
  return reducedShape(x, normAxes(op, attrs.axes, x.length), attrs.keepdims);
};

/** @type {ShapeRule} */
function matmul(s, attrs) {
  const [a, b, bias] = /** @type {[Shape, Shape, Shape | null]} */ (s);
  needRank('MatMul', 'a', a, 2, true);
  needRank('MatMul', 'b', b, 2, true);
  const [m, k] = attrs.transpose_a ? [a[a.length - 1], a[a.length - 2]] : [a[a.length - 2], a[a.length - 1]];
  const [k2, n] = attrs.transpose_b ? [b[b.length - 1], b[b.length - 2]] : [b[b.length - 2], b[b.length - 1]];
  if (!dimsAgree(k, k2)) {
    throw new WebgradError('ESHAPE', `MatMul: a is ${fmt(a)} but b is ${fmt(b)}: inner dims ${k} and ${k2} differ`);
  }
  const batch = broadcastShapes('MatMul', a.slice(0, -2), b.slice(0, -2));
  needVector('MatMul', 'bias', bias ?? null, n, 'the output columns');
  return [...batch, m, n];
}

/** @type {ShapeRule} */
function conv2d(s, attrs) {
  const [xs, ws, bs] = /** @type {[Shape, Shape, Shape | null]} */ (s);
  needRank('Conv2D', 'x (NHWC)', xs, 4);
  needRank('Conv2D', 'w (HWIO)', ws, 4);
  const [n, h, w, c] = xs;
  const [kh, kw, cg, o] = ws;
  const groups = attrs.groups;
  if (!(groups >= 1)) throw new WebgradError('ESHAPE', `Conv2D: groups must be >= 1, got ${groups}`);
  if (c !== null && cg !== null && cg * groups !== c) {
    throw new WebgradError(
      'ESHAPE',
      `Conv2D: x is ${fmt(xs)} with ${c} channels but w is ${fmt(ws)}: w[2] * groups = ${cg} * ${groups} = ${cg * groups}, not ${c}`,
    );
  }
  if (o !== null && o % groups) {
    throw new WebgradError(
      'ESHAPE',
      `Conv2D: w is ${fmt(ws)}: its ${o} output channels do not divide into ${groups} groups`,
    );
  }
  needVector('Conv2D', 'bias', bs ?? null, o, 'w[3], the output channels');
  if (kh === null || kw === null)
    throw new WebgradError('ESHAPE', `Conv2D: the kernel size of w ${fmt(ws)} must be known`);
  const win = windowOf('Conv2D', [h, w], [kh, kw], attrs.strides, attrs.padding, attrs.dilations);
  return [n, win.out[0], win.out[1], o];
}

/**
 * One spatial dim of Conv2DTranspose's output (the transposed Conv2D's input size).
 * @param {string} axis @param {Dim} n @param {number} k @param {number} s @param {number} d
 * @param {import('./window.js').Padding} padding @param {number} lo @param {number} hi
 * @returns {Dim}
 */
function transposedDim(axis, n, k, s, d, padding, lo, hi) {
  if (n === null) return null;
  if (n < 1) throw new WebgradError('ESHAPE', `Conv2DTranspose: x's ${axis} must be >= 1, got ${n}`);
  const span = (k - 1) * d + 1;
  if (padding === 'VALID') return (n - 1) * s + Math.max(span, s);
  if (padding === 'SAME') return n * s;
  const out = (n - 1) * s + span - lo - hi;
  if (out < 1) {
    throw new WebgradError(
      'ESHAPE',
      `Conv2DTranspose: padding [${padding}] crops the whole ${axis} (${(n - 1) * s + span} before cropping)`,
    );
  }
  return out;
}

/**
 * Conv2DTranspose (x NHWC, w [KH, KW, O, C]): its output shape `[N, OH, OW, O]`, which is the input
 * of the Conv2D it transposes (that Conv2D's filter is w as it stands, HWIO).
 * @type {ShapeRule}
 */
function conv2dTranspose(s, attrs) {
  const [xs, ws, bs] = /** @type {[Shape, Shape, Shape | null]} */ (s);
  const op = 'Conv2DTranspose';
  needRank(op, 'x (NHWC)', xs, 4);
  needRank(op, 'w ([KH, KW, O, C])', ws, 4);
  const [n, h, w, c] = xs;
  const [kh, kw, o, wc] = ws;
  if (c !== null && wc !== null && c !== wc) {
    throw new WebgradError(
      'ESHAPE',
      `${op}: x is ${fmt(xs)} with ${c} channels but w is ${fmt(ws)}: w[3] must be ${c}`,
    );
  }
  needVector(op, 'bias', bs ?? null, o, 'w[2], the output channels');
  if (kh === null || kw === null)
    throw new WebgradError('ESHAPE', `${op}: the kernel size of w ${fmt(ws)} must be known`);
  const { strides, dilations, padding } = attrs;
  if (strides.length !== 2 || dilations.length !== 2 || [...strides, ...dilations].some((v) => !(v >= 1))) {
    throw new WebgradError(
      'ESHAPE',
      `${op}: strides [${strides}] and dilations [${dilations}] must be two positive ints each`,
    );
  }
  const pads = typeof padding === 'string' ? [0, 0, 0, 0] : padding;
  if (pads.length !== 4 || pads.some((/** @type {number} */ p) => p < 0)) {
    throw new WebgradError('ESHAPE', `${op}: padding must be 'SAME', 'VALID' or [top, bottom, left, right]`);
  }
  return [
    n,
    transposedDim('height', h, kh, strides[0], dilations[0], padding, pads[0], pads[1]),
    transposedDim('width', w, kw, strides[1], dilations[1], padding, pads[2], pads[3]),
    o,
  ];
}

/** @param {string} op @returns {ShapeRule} */
const pool2d = (op) => (s, attrs) => {
  const x = /** @type {Shape} */ (s[0]);
  const win = poolWindow(op, x, /** @type {any} */ (attrs));
  return [x[0], win.out[0], win.out[1], x[3]];
};

/**
 * The Reshape output shape: 0 copies the input dim, one -1 is inferred.
 * @param {Shape} x @param {readonly number[]} spec
 * @returns {Dim[]}
 */
export function targetShape(x, spec) {
  const where = `Reshape: cannot reshape ${fmt(x)} to [${spec.join(', ')}]`;
  if (spec.filter((v) => v === -1).length > 1 || spec.some((v) => v < -1)) {
    throw new WebgradError('ESHAPE', `${where}: 'shape' may hold one -1 and no other negative value`);
  }
  if (spec.some((v, i) => v === 0 && i >= x.length)) {
    throw new WebgradError('ESHAPE', `${where}: a 0 copies an input dim, but the input has only ${x.length} dims`);
  }
  /** @type {Dim[]} */
  const out = spec.map((v, i) => (v === 0 ? x[i] : v));
  const restIn = prod(x.filter((_, i) => !(i < spec.length && spec[i] === 0)));
  const restOut = prod(out.filter((_, i) => spec[i] !== 0 && spec[i] !== -1));
  const j = spec.indexOf(-1);
  if (j >= 0) {
    if (restIn === null || restOut === null) out[j] = null;
    else if (restOut === 0 || restIn % restOut) {
      throw new WebgradError('ESHAPE', `${where}: ${restIn} elements do not split into ${restOut}-sized pieces`);
    } else out[j] = restIn / restOut;
  } else if (restIn !== null && restOut !== null && restIn !== restOut) {
    throw new WebgradError('ESHAPE', `${where}: the element counts differ`);
  }
  return out;
}

/** @type {ShapeRule} */
function flatten(s, attrs) {
  const x = /** @type {Shape} */ (s[0]);
  let axis = attrs.axis;
  if (!(axis >= -x.length && axis <= x.length)) {
    throw new WebgradError('ESHAPE', `Flatten: axis ${axis} is out of range for shape ${fmt(x)}`);
  }
  if (axis < 0) axis += x.length;
  return [prod(x.slice(0, axis)), prod(x.slice(axis))];
}

/** @type {ShapeRule} */
function transpose(s, attrs) {
  const x = /** @type {Shape} */ (s[0]);
  const perm = /** @type {number[]} */ (attrs.perm);
  if ([...perm].sort((a, b) => a - b).some((p, i) => p !== i) || perm.length !== x.length) {
    throw new WebgradError(
      'ESHAPE',
      `Transpose: perm [${perm.join(', ')}] is not a permutation of the ${x.length} axes of ${fmt(x)}`,
    );
  }
  return perm.map((p) => x[p]);
}

/** @type {ShapeRule} */
function concat(s, attrs) {
  const shapes = /** @type {Shape[]} */ (s);
  const first = shapes[0];
  const axis = normAxis('Concat', attrs.axis, first.length);
  const out = [...first];
  shapes.forEach((x, i) => {
    if (i === 0) return;
    if (x.length !== first.length || x.some((d, k) => k !== axis && !dimsAgree(d, first[k]))) {
      throw new WebgradError(
        'ESHAPE',
        `Concat: input ${i} is ${fmt(x)} but input 0 is ${fmt(first)}: dims other than axis ${axis} differ`,
      );
    }
    x.forEach((d, k) => {
      if (out[k] === null) out[k] = d;
    });
  });
  const sizes = shapes.map((x) => x[axis]);
  out[axis] = sizes.includes(null)
    ? null
    : sizes.reduce((a, b) => /** @type {number} */ (a) + /** @type {number} */ (b), 0);
  return out;
}

/**
 * Resolved Slice parameters for an input of `rank` dims: per axis `[start, end, step]` or null (whole).
 * @param {number} rank
 * @param {Attrs} attrs
 * @returns {{axes: number[], starts: number[], ends: number[], steps: number[]}}
 */
export function sliceParams(rank, attrs) {
  const { starts, ends } = attrs;
  const axes = attrs.axes.length ? attrs.axes : starts.map((/** @type {number} */ _, /** @type {number} */ i) => i);
  const steps = attrs.steps.length ? attrs.steps : starts.map(() => 1);
  if (!(starts.length === ends.length && ends.length === axes.length && axes.length === steps.length)) {
    throw new WebgradError(
      'ESHAPE',
      `Slice: starts [${starts.join(', ')}], ends [${ends.join(', ')}], axes [${attrs.axes.join(', ')}] and steps [${attrs.steps.join(', ')}] must have the same length (empty axes/steps mean the defaults)`,
    );
  }
  if (steps.some((/** @type {number} */ v) => v <= 0))
    throw new WebgradError('ESHAPE', `Slice: steps must be positive, got [${steps.join(', ')}]`);
  const normalized = axes.map((/** @type {number} */ a) => normAxis('Slice', a, rank, 'axes entry'));
  if (new Set(normalized).size !== normalized.length) {
    throw new WebgradError('ESHAPE', `Slice: axes [${attrs.axes.join(', ')}] name an axis twice`);
  }
  return { axes: normalized, starts, ends, steps };
}

/**
 * numpy's `slice(start, end, step).indices(n)` for a positive step: `[start, count]`.
 * @param {number} n @param {number} start @param {number} end @param {number} step
 * @returns {[number, number]}
 */
export function sliceRange(n, start, end, step) {
  const lo = start < 0 ? Math.max(0, start + n) : Math.min(start, n);
  const hi = end < 0 ? Math.max(0, end + n) : Math.min(end, n);
  return [lo, hi > lo ? Math.floor((hi - lo - 1) / step) + 1 : 0];
}

/** @type {ShapeRule} */
function slice(s, attrs) {
  const x = /** @type {Shape} */ (s[0]);
  const p = sliceParams(x.length, attrs);
  const out = [...x];
  p.axes.forEach((axis, i) => {
    const n = x[axis];
    out[axis] = n === null ? null : sliceRange(n, p.starts[i], p.ends[i], p.steps[i])[1];
  });
  return out;
}

/** The most dims Pad takes (the wasm kernels' params hold 6). */
export const PAD_MAX_RANK = 6;

/**
 * Pad's `pads` as one `[before, after]` pair per axis of a rank-`rank` input, checked (with the fill
 * value against x's dtype: an int32 x takes whole numbers only).
 * @param {number} rank
 * @param {Attrs} attrs
 * @param {string | null} dtype x's
 * @returns {[number, number][]}
 */
export function padPairs(rank, attrs, dtype) {
  const pads = /** @type {number[]} */ (attrs.pads);
  if (rank > PAD_MAX_RANK)
    throw new WebgradError('ESHAPE', `Pad: x has rank ${rank}; Pad supports rank 0 to ${PAD_MAX_RANK}`);
  if (pads.length !== 2 * rank) {
    throw new WebgradError(
      'ESHAPE',
      `Pad: pads [${pads.join(', ')}] must have 2 * rank = ${2 * rank} entries (before, after per axis)`,
    );
  }
  if (pads.some((p) => p < 0))
    throw new WebgradError('ESHAPE', `Pad: pads [${pads.join(', ')}] must be >= 0 (use Slice to crop)`);
  if (dtype === 'int32' && !Number.isInteger(attrs.value))
    throw new WebgradError('ESHAPE', `Pad: value ${attrs.value} must be a whole number to pad an int32 x`);
  return Array.from({ length: rank }, (_, d) => /** @type {[number, number]} */ ([pads[2 * d], pads[2 * d + 1]]));
}

/** @param {(Shape | null)[]} s @param {Attrs} attrs @param {(string | null)[]} [dtypes] @returns {Dim[]} */
function pad(s, attrs, dtypes) {
  const x = /** @type {Shape} */ (s[0]);
  const pairs = padPairs(x.length, attrs, dtypes?.[0] ?? null);
  return x.map((d, i) => (d === null ? null : d + pairs[i][0] + pairs[i][1]));
}

/** @type {ShapeRule} */
function gather(s, attrs) {
  const [data, indices] = /** @type {[Shape, Shape]} */ (s);
  const axis = normAxis('Gather', attrs.axis, data.length);
  return [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
}

/** @type {ShapeRule} */
function batchNorm(s) {
  const x = /** @type {Shape} */ (s[0]);
  needRank('BatchNorm', 'x', x, 1, true);
  ['scale', 'bias', 'mean', 'var'].forEach((name, i) =>
    needVector('BatchNorm', name, s[i + 1] ?? null, x[x.length - 1], 'the channels, x[-1]'),
  );
  return [...x];
}

/** @type {ShapeRule} */
function layerNorm(s, attrs) {
  const x = /** @type {Shape} */ (s[0]);
  const axis = normAxis('LayerNorm', attrs.axis, x.length);
  const want = x.slice(axis);
  ['gamma', 'beta'].forEach((name, i) => {
    const p = /** @type {Shape} */ (s[i + 1]);
    if (p.length !== want.length || p.some((d, k) => !dimsAgree(d, want[k]))) {
      throw new WebgradError(
        'ESHAPE',
        `LayerNorm: ${name} must be x[${axis}:] = ${fmt(want)} for x ${fmt(x)}, got ${fmt(p)}`,
      );
    }
  });
  return [...x];
}

/** @type {ShapeRule} */
function dequantize(s, attrs) {
  const x = /** @type {Shape} */ (s[0]);
  const params = /** @type {[Shape | null, Shape | null]} */ ([s[1] ?? null, s[2] ?? null]);
  ['scale', 'zero_point'].forEach((name, i) => {
    const p = params[i];
    if (attrs.axis === null) {
      if (p !== null && !(p.length === 0 || (p.length === 1 && p[0] === 1))) {
        throw new WebgradError('ESHAPE', `Dequantize: with axis null, ${name} must be a scalar or [1], got ${fmt(p)}`);
      }
    } else {
      const axis = normAxis('Dequantize', attrs.axis, x.length);
      needVector('Dequantize', name, p, x[axis], `x[${axis}], one per channel`);
    }
  });
  return [...x];
}

/** @type {ShapeRule} */
function globalAvgPool(s) {
  const x = /** @type {Shape} */ (s[0]);
  needRank('GlobalAvgPool', 'x (NHWC)', x, 4);
  return [x[0], x[3]];
}

/** @type {ShapeRule} An axis of size 0 has no index to return: ESHAPE (the op set's 'empty'). */
function argMax(s, attrs) {
  const x = /** @type {Shape} */ (s[0]);
  const axis = normAxis('ArgMax', attrs.axis, x.length);
  if (x[axis] === 0) {
    throw new WebgradError(
      'ESHAPE',
      `ArgMax: axis ${attrs.axis} of x ${fmt(x)} has size 0, so there is no index to return`,
    );
  }
  return reducedShape(x, [axis], attrs.keepdims);
}

/** The shape rule of every op of the op set, by op name. */
export const SHAPE_RULES = /** @type {Readonly<Record<string, ShapeRule>>} */ (
  Object.freeze({
    MatMul: matmul,
    Add: broadcast('Add'),
    Sub: broadcast('Sub'),
    Mul: broadcast('Mul'),
    Div: broadcast('Div'),
    Maximum: broadcast('Maximum'),
    Minimum: broadcast('Minimum'),
    Greater: compare('Greater'),
    GreaterEqual: compare('GreaterEqual'),
    Less: compare('Less'),
    LessEqual: compare('LessEqual'),
    Equal: compare('Equal'),
    NotEqual: compare('NotEqual'),
    Where: where,
    Relu: same('Relu'),
    Relu6: same('Relu6'),
    LeakyRelu: same('LeakyRelu'),
    Gelu: same('Gelu'),
    Sigmoid: same('Sigmoid'),
    Tanh: same('Tanh'),
    Exp: same('Exp'),
    Log: same('Log'),
    Sqrt: same('Sqrt'),
    Abs: same('Abs'),
    Sign: same('Sign'),
    Floor: same('Floor'),
    Softmax: same('Softmax', 'axis'),
    LogSoftmax: same('LogSoftmax', 'axis'),
    Conv2D: conv2d,
    Conv2DTranspose: conv2dTranspose,
    MaxPool2D: pool2d('MaxPool2D'),
    AvgPool2D: pool2d('AvgPool2D'),
    GlobalAvgPool: globalAvgPool,
    BatchNorm: batchNorm,
    LayerNorm: layerNorm,
    Reshape: (s, attrs) => targetShape(/** @type {Shape} */ (s[0]), attrs.shape),
    Flatten: flatten,
    Transpose: transpose,
    Concat: concat,
    Slice: slice,
    Pad: pad,
    Gather: gather,
    ReduceSum: reduce('ReduceSum'),
    ReduceMean: reduce('ReduceMean'),
    ReduceMax: reduce('ReduceMax'),
    ArgMax: argMax,
    Cast: same('Cast'),
    Dequantize: dequantize,
  })
);

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
export function inferNode(op, shapes, dtypes, attrs) {
  if (!Object.prototype.hasOwnProperty.call(OPSET.ops, op))
    throw new WebgradError('EUNKNOWN_OP', `unknown op ${JSON.stringify(op)}`);
  const spec = OPSET.ops[op];
  const slots = spec.inputs;
  const variadic = slots.length === 1 && slots[0].variadic;
  if (variadic ? shapes.length < 1 : shapes.length > slots.length) {
    throw new WebgradError(
      'EGRAPH',
      `${op}: takes ${variadic ? 'at least 1' : `at most ${slots.length}`} inputs, got ${shapes.length}`,
    );
  }
  const count = variadic ? shapes.length : slots.length;
  for (let i = 0; i < count; i++) {
    const slot = slots[variadic ? 0 : i];
    const dtype = dtypes[i] ?? null;
    if (dtype === null || shapes[i] === null || shapes[i] === undefined) {
      if (!slot.optional) throw new WebgradError('EGRAPH', `${op}: input ${i} (${slot.name}) is required`);
      continue;
    }
    if (!slot.dtypes.includes(dtype)) {
      throw new WebgradError(
        'EDTYPE',
        `${op}: input ${i} (${slot.name}) must be ${slot.dtypes.join(' or ')}, got ${dtype}`,
      );
    }
  }
  if (variadic && new Set(dtypes).size > 1) {
    throw new WebgradError('EDTYPE', `${op}: inputs have different dtypes [${dtypes.join(', ')}]`);
  }
  const padded = Array.from({ length: count }, (_, i) => shapes[i] ?? null);
  const shape = SHAPE_RULES[op](padded, attrs, dtypes);
  const want = spec.output.dtype;
  const dtype =
    want === 'same'
      ? (dtypes.find((d) => d !== null) ?? 'float32')
      : want.startsWith('attr:')
        ? attrs[want.slice(5)]
        : want;
  return { shape, dtype };
}

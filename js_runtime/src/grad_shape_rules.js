/**
 * Shape rules of the gradient ops (the op set's gradOps, GRAD_OPS): the output shape of each for given
 * input shapes and attributes, so a training graph's arena is planned before anything runs (dims may
 * be null). Mirrors the `shape()` of authoring/raw_ops/grad/; each rule reuses the forward op's rule from
 * shape_rules.js, so a gradient op agrees with its forward op by construction.
 * Inputs "read only for their shape" (like, like_x, like_w, like_data) decide the output shape.
 * @module
 */

import { WebgradError } from './errors.js';
import { GRAD_OPS } from './grad_opset.js';
import { SHAPE_RULES, inferNode, reducedShape } from './shape_rules.js';
import { broadcastShapes, dimsAgree, fmt, normAxes, normAxis, prod } from './shapes.js';

/** @typedef {import('./shapes.js').Dim} Dim */
/** @typedef {import('./shapes.js').Shape} Shape */
/** @typedef {import('./shape_rules.js').Attrs} Attrs */
/** @typedef {(shapes: Shape[], attrs: Attrs) => Dim[]} GradShapeRule */

/**
 * ESHAPE unless `got` can equal `want` (an unknown dim agrees with anything).
 * @param {string} op @param {string} what @param {Shape} got @param {Shape} want
 */
function needShape(op, what, got, want) {
  if (got.length !== want.length || got.some((d, i) => !dimsAgree(d, want[i]))) {
    throw new WebgradError('ESHAPE', `${op}: ${what} must be ${fmt(want)}, got ${fmt(got)}`);
  }
}

/**
 * The forward op's output shape by its own rule, with an error renamed to the gradient op.
 * @param {string} op @param {string} gradOp @param {(Shape | null)[]} shapes @param {Attrs} attrs
 * @returns {Dim[]}
 */
function forwardShape(op, gradOp, shapes, attrs) {
  try {
    return SHAPE_RULES[op](shapes, attrs);
  } catch (e) {
    if (e instanceof WebgradError && e.code === 'ESHAPE') {
      throw new WebgradError('ESHAPE', `${gradOp} (the VJP of ${e.message})`);
    }
    throw e;
  }
}

/** @type {GradShapeRule} like must broadcast to g (right-aligned; each like dim 1 or g's). */
function sumTo([g, like]) {
  const off = g.length - like.length;
  if (off < 0 || like.some((d, i) => d !== 1 && !dimsAgree(d, g[off + i]))) {
    throw new WebgradError(
      'ESHAPE',
      `SumTo: like ${fmt(like)} does not broadcast to g ${fmt(g)}, so g cannot be summed down to it`,
    );
  }
  return [...like];
}

/** @type {GradShapeRule} */
function broadcastLike([g, like], attrs) {
  const reduced = reducedShape(like, normAxes('BroadcastLike', attrs.axes, like.length), attrs.keepdims);
  const axes = attrs.axes === null ? 'null' : `[${attrs.axes.join(', ')}]`;
  needShape('BroadcastLike', `g (like ${fmt(like)} reduced over axes ${axes})`, g, reduced);
  return [...like];
}

/** @type {GradShapeRule} */
function activationGrad([g, x, y]) {
  needShape('ActivationGrad', "x (g's shape)", x, g);
  needShape('ActivationGrad', "y (g's shape)", y, g);
  return [...g];
}

/** @type {GradShapeRule} */
function maxMinGrad([g, a, b]) {
  needShape('MaxMinGrad', `g (broadcast of a ${fmt(a)} and b ${fmt(b)})`, g, broadcastShapes('MaxMinGrad', a, b));
  return [...g];
}

/** @param {string} op @returns {GradShapeRule} */
const softmaxGrad =
  (op) =>
  ([g, y], attrs) => {
    needShape(op, "y (g's shape)", y, g);
    normAxis(op, attrs.axis, g.length);
    return [...g];
  };

const LINEAR = { activation: 'none', alpha: 0.2 };

/** @type {GradShapeRule} inputs (g, w, like_x) */
function conv2dBackpropInput([g, w, x], attrs) {
  const z = forwardShape('Conv2D', 'Conv2DBackpropInput', [x, w, null], { ...attrs, ...LINEAR });
  needShape('Conv2DBackpropInput', `g (Conv2D's output for x ${fmt(x)} and w ${fmt(w)})`, g, z);
  return [...x];
}

/** @type {GradShapeRule} inputs (x, g, like_w) */
function conv2dBackpropFilter([x, g, w], attrs) {
  const z = forwardShape('Conv2D', 'Conv2DBackpropFilter', [x, w, null], { ...attrs, ...LINEAR });
  needShape('Conv2DBackpropFilter', `g (Conv2D's output for x ${fmt(x)} and w ${fmt(w)})`, g, z);
  return [...w];
}

/** @param {string} gradOp @param {string} op @returns {GradShapeRule} */
const poolGrad =
  (gradOp, op) =>
  ([g, x], attrs) => {
    needShape(gradOp, `g (${op}'s output for x ${fmt(x)})`, g, forwardShape(op, gradOp, [x], attrs));
    return [...x];
  };

/** @type {GradShapeRule} */
function layerNormGrad([g, x, gamma], attrs) {
  const fwd = { axis: attrs.axis, epsilon: attrs.epsilon };
  needShape('LayerNormGrad', "g (x's shape)", g, forwardShape('LayerNorm', 'LayerNormGrad', [x, gamma, gamma], fwd));
  return attrs.wrt === 'x' ? [...x] : [...gamma];
}

/** @type {GradShapeRule} */
function batchNormGrad([g, x, scale, mean, variance], attrs) {
  const y = forwardShape('BatchNorm', 'BatchNormGrad', [x, scale, scale, mean, variance], {
    epsilon: attrs.epsilon,
  });
  needShape('BatchNormGrad', "g (x's shape)", g, y);
  return attrs.wrt === 'x' ? [...x] : [x[x.length - 1]];
}

/** @type {GradShapeRule} */
function sliceGrad([g, x], attrs) {
  needShape('SliceGrad', `g (Slice's output for x ${fmt(x)})`, g, forwardShape('Slice', 'SliceGrad', [x], attrs));
  return [...x];
}

/** @type {GradShapeRule} */
function gatherGrad([g, indices, data], attrs) {
  const want = forwardShape('Gather', 'GatherGrad', [data, indices], attrs);
  needShape('GatherGrad', `g (Gather's output for data ${fmt(data)} and indices ${fmt(indices)})`, g, want);
  return [...data];
}

/** @type {GradShapeRule} */
function reduceMaxGrad([g, x, y], attrs) {
  const reduced = forwardShape('ReduceMax', 'ReduceMaxGrad', [x], attrs);
  needShape('ReduceMaxGrad', `g (ReduceMax's output for x ${fmt(x)})`, g, reduced);
  needShape('ReduceMaxGrad', `y (ReduceMax's output for x ${fmt(x)})`, y, reduced);
  return [...x];
}

/** @type {GradShapeRule} */
function reshapeLike([g, like]) {
  const n = prod(g);
  const m = prod(like);
  if (n !== null && m !== null && n !== m) {
    throw new WebgradError('ESHAPE', `ReshapeLike: g ${fmt(g)} has ${n} elements but like ${fmt(like)} has ${m}`);
  }
  return [...like];
}

/** The shape rule of every gradient op, by name. */
export const GRAD_SHAPE_RULES = /** @type {Readonly<Record<string, GradShapeRule>>} */ (
  Object.freeze({
    SumTo: sumTo,
    BroadcastLike: broadcastLike,
    ActivationGrad: activationGrad,
    MaxMinGrad: maxMinGrad,
    SoftmaxGrad: softmaxGrad('SoftmaxGrad'),
    LogSoftmaxGrad: softmaxGrad('LogSoftmaxGrad'),
    Conv2DBackpropInput: conv2dBackpropInput,
    Conv2DBackpropFilter: conv2dBackpropFilter,
    MaxPool2DGrad: poolGrad('MaxPool2DGrad', 'MaxPool2D'),
    AvgPool2DGrad: poolGrad('AvgPool2DGrad', 'AvgPool2D'),
    LayerNormGrad: layerNormGrad,
    BatchNormGrad: batchNormGrad,
    SliceGrad: sliceGrad,
    GatherGrad: gatherGrad,
    ReduceMaxGrad: reduceMaxGrad,
    ReshapeLike: reshapeLike,
  })
);

/**
 * Fills in the defaults of a gradient op's attributes from the op set (attributes given are kept as
 * they are; an unknown name or a missing required attribute is EATTR).
 * @param {string} op
 * @param {Attrs} attrs
 * @returns {Attrs}
 */
export function gradAttrs(op, attrs) {
  const spec = gradSpec(op).attrs;
  for (const key of Object.keys(attrs)) {
    if (!Object.prototype.hasOwnProperty.call(spec, key)) {
      throw new WebgradError(
        'EATTR',
        `${op} has no attribute ${JSON.stringify(key)}; its attributes are [${Object.keys(spec).join(', ')}]`,
      );
    }
  }
  /** @type {Attrs} */
  const out = {};
  for (const [key, a] of Object.entries(spec)) {
    if (Object.prototype.hasOwnProperty.call(attrs, key)) out[key] = attrs[key];
    else if ('default' in a) out[key] = Array.isArray(a.default) ? [...a.default] : a.default;
    else throw new WebgradError('EATTR', `${op} needs attribute ${JSON.stringify(key)} (${a.type})`);
  }
  return out;
}

/** @param {string} op */
function gradSpec(op) {
  if (!Object.prototype.hasOwnProperty.call(GRAD_OPS, op)) {
    throw new WebgradError(
      'EUNKNOWN_OP',
      `unknown gradient op ${JSON.stringify(op)}; the gradient ops are ${Object.keys(GRAD_OPS).join(', ')}`,
    );
  }
  return GRAD_OPS[op];
}

/**
 * Checks a gradient node's inputs against the op set (count, dtypes; every input is required) and
 * applies its shape rule. Throws EUNKNOWN_OP / EGRAPH / EDTYPE / ESHAPE with a message that starts
 * with the op name (callers prefix the node). The output dtype is always float32.
 * @param {string} op
 * @param {Shape[]} shapes
 * @param {string[]} dtypes
 * @param {Attrs} attrs  complete (see gradAttrs)
 * @returns {{shape: Dim[], dtype: string}}
 */
export function inferGradNode(op, shapes, dtypes, attrs) {
  const spec = gradSpec(op);
  if (shapes.length !== spec.inputs.length || dtypes.length !== spec.inputs.length) {
    throw new WebgradError(
      'EGRAPH',
      `${op}: takes ${spec.inputs.length} inputs (${spec.inputs.map((i) => i.name).join(', ')}), got ${shapes.length}`,
    );
  }
  spec.inputs.forEach((slot, i) => {
    if (shapes[i] === null || shapes[i] === undefined) {
      throw new WebgradError('EGRAPH', `${op}: input ${i} (${slot.name}) is required`);
    }
    if (!slot.dtypes.includes(dtypes[i])) {
      throw new WebgradError(
        'EDTYPE',
        `${op}: input ${i} (${slot.name}) must be ${slot.dtypes.join(' or ')}, got ${dtypes[i]}`,
      );
    }
  });
  return { shape: GRAD_SHAPE_RULES[op](shapes, attrs), dtype: spec.output.dtype };
}

/**
 * The executor's plan rules for training graphs (forward, loss and gradient ops): each node's output
 * from the gradient op's rule or the op set's, and per gradient op the inputs read only for their shape
 * (`like`, `like_x`, ...), whose buffers a read does not keep alive (so a training plan frees forward
 * values as early as an inference plan). Passed as `new Executor(graph, weights, backend, {...TRAINING_PLAN_RULES})`.
 * @type {Required<import('./executor.js').PlanRules>}
 */
export const TRAINING_PLAN_RULES = Object.freeze({
  inferNode: (
    /** @type {string} */ op,
    /** @type {any[]} */ shapes,
    /** @type {any[]} */ dtypes,
    /** @type {any} */ attrs,
  ) =>
    Object.prototype.hasOwnProperty.call(GRAD_OPS, op)
      ? inferGradNode(op, shapes, dtypes, attrs)
      : inferNode(op, shapes, dtypes, attrs),
  shapeOnlyInputs: new Map(
    Object.entries(GRAD_OPS).map(([op, spec]) => [
      op,
      new Set(spec.inputs.flatMap((input, i) => (/^like(_|$)/.test(input.name) ? [i] : []))),
    ]),
  ),
});

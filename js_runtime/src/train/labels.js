/**
 * Training labels: what `fit`, `evaluate` and `trainStep` are given as `y`, checked and turned into
 * the float32 rows the loss graph reads (`training.labels`): class indices (any integer typed array,
 * a plain array, or float values that are whole numbers, as Python accepts) become one-hot rows for an
 * `onehot` encoding, whose range is checked; one-hot rows may also be given as they are. A `dense`
 * encoding takes float values of the labels' shape. Every error is EINPUT naming the first bad index.
 * @module
 */

import { WebgradError } from '../errors.js';
import { Tensor, toTensor } from '../tensor.js';
import { sizeOf } from '../shapes.js';

/** @typedef {import('../loader/manifest.js').TrainingJson} TrainingJson */
/** @typedef {{data: Float32Array, rowSize: number, rowShape: number[]}} Labels */

/**
 * The labels' values and shape, whatever form they came in.
 * @param {unknown} y
 * @returns {{values: ArrayLike<number>, shape: readonly number[], integral: boolean}}
 */
function rawLabels(y) {
  if (y instanceof BigInt64Array || y instanceof BigUint64Array)
    throw new WebgradError('EINPUT', `labels: a ${y.constructor.name} is not a label dtype; use an Int32Array`);
  if (ArrayBuffer.isView(y) && !(y instanceof DataView)) {
    const v = /** @type {ArrayLike<number>} */ (/** @type {unknown} */ (y));
    return { values: v, shape: [v.length], integral: !(y instanceof Float32Array || y instanceof Float64Array) };
  }
  if (y instanceof Tensor) {
    if (y.dtype === 'float16')
      throw new WebgradError('EINPUT', 'labels: float16 labels are not taken; use int32 or float32');
    return { values: y.dataSync(), shape: y.shape, integral: y.dtype !== 'float32' };
  }
  if (y !== null && typeof y === 'object' && 'data' in y && ArrayBuffer.isView(y.data)) {
    const d = /** @type {{data: ArrayLike<number>, shape?: number[]}} */ (y);
    const { values, integral } = rawLabels(d.data);
    const shape = d.shape ?? [values.length];
    if (sizeOf(shape) !== values.length)
      throw new WebgradError(
        'EINPUT',
        `labels: shape [${shape.join(', ')}] needs ${sizeOf(shape)} values, got ${values.length}`,
      );
    return { values, shape, integral };
  }
  if (Array.isArray(y) || (y !== null && typeof y === 'object' && 'data' in y)) {
    let t;
    try {
      t = toTensor(/** @type {any} */ (Array.isArray(y) ? { data: y } : y), 'labels', 'float32');
    } catch (e) {
      throw new WebgradError('EINPUT', /** @type {Error} */ (e).message, { cause: e });
    }
    return { values: t.dataSync(), shape: t.shape, integral: false };
  }
  throw new WebgradError(
    'EINPUT',
    `labels: expected an Int32Array of class indices, a Float32Array, {data, shape} or a Tensor, got ${y === null ? 'null' : typeof y}`,
  );
}

/**
 * Checks `y` for `n` examples and converts it to the rows the loss graph reads.
 * @param {unknown} y
 * @param {number} n the number of examples in x
 * @param {TrainingJson['labels']} spec
 * @param {Float32Array} [out] written into instead of a new array when it has exactly the rows' length
 *   (`trainStep` reuses one per batch shape: no allocation per step); its old contents do not matter
 * @returns {Labels} `data`: `out` or a new array
 */
export function prepareLabels(y, n, spec, out) {
  const { values, shape, integral } = rawLabels(y);
  if (shape[0] !== n)
    throw new WebgradError('EINPUT', `x has ${n} examples but y has ${shape[0] ?? 0} (shape [${shape.join(', ')}])`);
  const rowShape = spec.shape.slice(1).map((d, i) => d ?? shape[i + 1] ?? 1);
  const rowSize = sizeOf(rowShape);
  if (spec.encoding === 'onehot') {
    const classes = /** @type {number} */ (spec.classes);
    const given = shape.length === 2 && shape[1] === classes && classes > 1;
    if (given) return { data: rowsOf(values, n * rowSize, out), rowSize, rowShape };
    if (values.length !== n)
      throw new WebgradError(
        'EINPUT',
        `labels: expected ${n} class indices (shape [${n}] or [${n}, 1]) or one-hot rows [${n}, ${classes}], got shape [${shape.join(', ')}]`,
      );
    const data = out?.length === n * classes ? out.fill(0) : new Float32Array(n * classes);
    for (let i = 0; i < n; i++) {
      const c = values[i];
      if (typeof c !== 'number' || !Number.isInteger(c)) {
        throw new WebgradError(
          'EINPUT',
          `labels: index ${i} is ${String(c)}, not a class index; labels for '${spec.name}' must be int32 class indices${integral ? '' : ' (or whole numbers)'}`,
        );
      }
      if (c < 0 || c >= classes)
        throw new WebgradError(
          'EINPUT',
          `labels: index ${i} is ${c}, outside [0, ${classes}) for a model with ${classes} classes`,
        );
      data[i * classes + c] = 1;
    }
    return { data, rowSize: classes, rowShape: [classes] };
  }
  if (values.length !== n * rowSize)
    throw new WebgradError(
      'EINPUT',
      `labels: expected ${n} rows of shape [${rowShape.join(', ')}] (${n * rowSize} values), got shape [${shape.join(', ')}]`,
    );
  const data = rowsOf(values, n * rowSize, out);
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]))
      throw new WebgradError('EINPUT', `labels: index ${i} is ${data[i]}, expected a finite number`);
  return { data, rowSize, rowShape };
}

/**
 * The label values as float32, in `out` when it has their length.
 * @param {ArrayLike<number>} values @param {number} length @param {Float32Array} [out]
 */
function rowsOf(values, length, out) {
  if (out?.length !== length) return Float32Array.from(values);
  out.set(values);
  return out;
}

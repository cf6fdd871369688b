/**
 * model.json: parsing, the format and version checks, and hand-written structure checks mirroring
 * exporter/model.schema.json (no JSON Schema library). Errors name the JSON path and the enclosing
 * node/tensor, e.g. `schema violation at $.graph.nodes[3] ('dense/MatMul'): 'op' must be a non-empty string`.
 * @module
 */

import { WebgradError } from '../errors.js';
import { DTYPES } from '../dtypes.js';
import { OPSET } from '../opset.js';
import { VERSION } from '../version.js';
import { MAX_JSON_DEPTH, tooDeepAt } from './json_depth.js';
import { kind, own } from './json_values.js';

export const FORMAT = 'webgrad-bundle';
/**
 * The newest format this runtime reads: 2 adds the optional `training` section (trainable bundles), 3 the
 * optional `tokenizer` section (text bundles).
 */
export const FORMAT_VERSION = 3;
/** Every format version this runtime reads. */
const FORMAT_VERSIONS = [1, 2, 3];

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
 *   selftest: {inputs: EncodedTensorJson[], outputs: EncodedTensorJson[], tolerance: {rtol: number, atol: number}},
 *   training?: TrainingJson, tokenizer?: import('./tokenizer_section.js').TokenizerJson}} Manifest
 * @typedef {{trainable: string[], labels: {name: string, encoding: 'onehot' | 'dense', shape: (number | null)[],
 *   classes?: number}, lossGraph: {inputs: string[], nodes: NodeJson[], output: string},
 *   loss: {name: string, from_logits?: boolean}, optimizer: import('../train/optimizers.js').OptimizerConfig,
 *   state: {iterations: number, slots: Record<string, Record<string, string>>},
 *   dropout?: {tensor: string, rate: number}[], batchNorm?: {node: string, momentum: number}[]}} TrainingJson
 *   the `training` section of a trainable bundle (formatVersion 2)
 */

/** `Object.hasOwn`: bundle-provided names are looked up as own keys only, never on the prototype. */

/**
 * Parses model.json bytes into an object; EJSON naming `where` if that fails. A UTF-8 BOM is skipped
 * (the decoder drops it); nesting deeper than {@link MAX_JSON_DEPTH} is refused before parsing.
 * @param {Uint8Array} bytes
 * @param {string} where
 * @returns {Record<string, unknown>}
 */
export function parseManifest(bytes, where) {
  let value;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const deep = tooDeepAt(text);
    if (deep >= 0) {
      throw new WebgradError(
        'EJSON',
        `${where}: JSON nested deeper than ${MAX_JSON_DEPTH} arrays/objects (at character ${deep})`,
      );
    }
    value = JSON.parse(text);
  } catch (e) {
    if (e instanceof WebgradError) throw e;
    throw new WebgradError('EJSON', `${where}: invalid JSON: ${/** @type {Error} */ (e).message}`, { cause: e });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WebgradError(
      'EJSON',
      `${where}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
    );
  }
  return value;
}

/**
 * Format and versions come before the structure: a newer format may not follow this schema.
 * @param {Record<string, unknown>} m
 * @param {string} where
 */
export function checkVersions(m, where) {
  if (m.format !== FORMAT) {
    throw new WebgradError(
      'EFORMAT',
      `${where}: 'format' is ${JSON.stringify(m.format)}, expected '${FORMAT}' (not a webgrad bundle)`,
    );
  }
  for (const [key, supported] of /** @type {[string, number][]} */ ([
    ['formatVersion', FORMAT_VERSION],
    ['opsetVersion', OPSET.opsetVersion],
  ])) {
    const got = m[key];
    if (Number.isSafeInteger(got) && /** @type {number} */ (got) > supported) {
      throw new WebgradError(
        'EVERSION',
        `${where}: ${key} ${got} is newer than this webgrad runtime (${VERSION}) supports (${key} ${supported}); upgrade the npm package webgrad (npm install webgrad@latest) to read it`,
      );
    }
  }
}

/** Walks the manifest, throwing ESCHEMA at the first violation. */
export class Checker {
  /** @param {string} where */
  constructor(where) {
    this.where = where;
  }

  /**
   * @param {string} path @param {string} named @param {string} message
   * @returns {never}
   */
  fail(path, named, message) {
    throw new WebgradError(
      'ESCHEMA',
      `${this.where}: schema violation at ${path}${named ? ` ('${named}')` : ''}: ${message}`,
    );
  }

  /**
   * An object with `required` keys and (when `allowed` is given) no others; returns it.
   * @param {unknown} v @param {string} path @param {readonly string[]} required @param {readonly string[] | null} allowed
   * @returns {Record<string, any>}
   */
  object(v, path, required, allowed = required) {
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      this.fail(path, '', `expected an object, got ${kind(v)}`);
    const o = /** @type {Record<string, any>} */ (v);
    const named = typeof o.name === 'string' ? o.name : '';
    for (const key of required) if (!own(o, key)) this.fail(path, named, `'${key}' is a required property`);
    if (allowed) {
      const extra = Object.keys(o).filter((k) => !allowed.includes(k));
      if (extra.length)
        this.fail(
          path,
          named,
          `additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} unexpected)`,
        );
    }
    return o;
  }

  /**
   * @param {unknown} v @param {string} path @param {string} named @param {number} [minItems]
   * @returns {unknown[]}
   */
  array(v, path, named, minItems = 0) {
    if (!Array.isArray(v)) this.fail(path, named, `expected an array, got ${kind(v)}`);
    if (v.length < minItems) this.fail(path, named, `expected at least ${minItems} item(s), got ${v.length}`);
    return v;
  }

  /**
   * JSON has one number type: any integral value is an integer (`2.0` is 2), up to 2^53 - 1.
   * @param {unknown} v @param {string} path @param {string} named @param {number} [min]
   */
  integer(v, path, named, min = 0) {
    if (!Number.isSafeInteger(v) || /** @type {number} */ (v) < min) {
      this.fail(path, named, `expected an integer >= ${min} (at most 2^53 - 1), got ${JSON.stringify(v)}`);
    }
  }

  /**
   * A finite number, or an array of them that broadcasts to `channels` (1 value, or one per channel;
   * any length when the dim is unknown).
   * @param {unknown} v @param {string} path @param {number | null} channels null: unknown
   * @returns {number[]} the values
   */
  numbers(v, path, channels) {
    if (typeof v === 'number') return [v];
    if (!Array.isArray(v) || !v.length)
      this.fail(path, '', `expected a number or a non-empty array of numbers, got ${JSON.stringify(v)}`);
    // an unknown dim agrees with any length here, as in every shape check at load
    if (v.length !== 1 && channels !== null && v.length !== channels) {
      this.fail(
        path,
        '',
        `${v.length} values do not broadcast to the input's last dim (${channels}): expected 1 or ${channels}`,
      );
    }
    v.forEach((x, i) => {
      if (typeof x !== 'number') this.fail(`${path}[${i}]`, '', `expected a number, got ${kind(x)}`);
    });
    return v;
  }

  /** @param {unknown} v @param {string} path @param {string} named @param {RegExp} [pattern] */
  string(v, path, named, pattern = /./) {
    if (typeof v !== 'string' || !pattern.test(v))
      this.fail(path, named, `expected a string matching ${pattern}, got ${JSON.stringify(v)}`);
  }

  /** @param {unknown} v @param {string} path @param {string} named */
  dtype(v, path, named) {
    if (!DTYPES.includes(/** @type {any} */ (v)))
      this.fail(path, named, `dtype must be one of ${DTYPES.join(', ')}, got ${JSON.stringify(v)}`);
  }

  /** @param {unknown} v @param {string} path @param {boolean} dynamic whether null dims are allowed */
  shape(v, path, named = '', dynamic = false) {
    this.array(v, path, named).forEach((d, i) => {
      if (dynamic && d === null) return;
      this.integer(d, `${path}[${i}]`, named);
    });
  }

  /** @param {unknown} v @param {string} path */
  tensorSpec(v, path) {
    const o = this.object(v, path, ['name', 'dtype', 'shape']);
    this.string(o.name, `${path}.name`, '');
    this.dtype(o.dtype, `${path}.dtype`, o.name);
    this.shape(o.shape, `${path}.shape`, o.name, true);
  }

  /** @param {unknown} v @param {string} path */
  encodedTensor(v, path) {
    const o = this.object(v, path, ['name', 'dtype', 'shape', 'data']);
    this.string(o.name, `${path}.name`, '');
    this.dtype(o.dtype, `${path}.dtype`, o.name);
    this.shape(o.shape, `${path}.shape`, o.name);
    if (typeof o.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.data))
      this.fail(`${path}.data`, o.name, 'expected a base64 string');
  }

  /** @param {unknown} v @param {string} path */
  node(v, path) {
    const o = this.object(v, path, ['name', 'op', 'inputs', 'outputs', 'attrs']);
    this.string(o.name, `${path}.name`, '');
    this.string(o.op, `${path}.op`, o.name);
    this.array(o.inputs, `${path}.inputs`, o.name).forEach((x, i) => {
      if (typeof x !== 'string') this.fail(`${path}.inputs[${i}]`, o.name, `expected a string, got ${kind(x)}`);
    });
    const outs = this.array(o.outputs, `${path}.outputs`, o.name, 1);
    if (outs.length > 1) this.fail(`${path}.outputs`, o.name, `expected exactly 1 output, got ${outs.length}`);
    this.string(outs[0], `${path}.outputs[0]`, o.name);
    this.object(o.attrs, `${path}.attrs`, [], null);
  }

  /** @param {unknown} v @param {string} path */
  tensor(v, path) {
    const o = this.object(
      v,
      path,
      ['name', 'dtype', 'shape', 'offset', 'byteLength'],
      ['name', 'dtype', 'shape', 'offset', 'byteLength', 'quantization'],
    );
    this.string(o.name, `${path}.name`, '');
    this.dtype(o.dtype, `${path}.dtype`, o.name);
    this.shape(o.shape, `${path}.shape`, o.name);
    this.integer(o.offset, `${path}.offset`, o.name);
    if (o.offset % 16) this.fail(`${path}.offset`, o.name, `offset ${o.offset} is not a multiple of 16`);
    this.integer(o.byteLength, `${path}.byteLength`, o.name);
    if (!own(o, 'quantization')) return;
    const q = this.object(o.quantization, `${path}.quantization`, ['scheme'], null);
    if (q.scheme === 'float16') this.object(q, `${path}.quantization`, ['scheme']);
    else if (q.scheme === 'int8_symmetric') {
      this.object(q, `${path}.quantization`, ['scheme', 'axis', 'scales']);
      this.integer(q.axis, `${path}.quantization.axis`, o.name);
      this.array(q.scales, `${path}.quantization.scales`, o.name, 1).forEach((s, i) => {
        if (typeof s !== 'number' || !(s > 0))
          this.fail(`${path}.quantization.scales[${i}]`, o.name, `expected a number > 0, got ${JSON.stringify(s)}`);
      });
    } else
      this.fail(
        `${path}.quantization.scheme`,
        o.name,
        `expected 'float16' or 'int8_symmetric', got ${JSON.stringify(q.scheme)}`,
      );
  }
}

/**
 * Checks the structure of model.json against the bundle schema (formats 1 and 2); returns it typed.
 * The `training` section's own structure is checked next, by `checkTrainingSection`
 * (loader/training_section.js, loaded only for a bundle that has one: it stays out of the eager code).
 * @param {Record<string, unknown>} m
 * @param {string} where
 * @returns {Manifest}
 */
export function checkStructure(m, where) {
  const c = new Checker(where);
  checkFinite(c, m);
  const required = [
    'format',
    'formatVersion',
    'opsetVersion',
    'producer',
    'signature',
    'graph',
    'weights',
    'metadata',
    'selftest',
  ];
  c.object(m, '$', required, [...required, 'training', 'tokenizer']);
  if (!FORMAT_VERSIONS.includes(/** @type {number} */ (m.formatVersion)))
    c.fail(
      '$.formatVersion',
      '',
      `expected one of ${FORMAT_VERSIONS.join(', ')}, got ${JSON.stringify(m.formatVersion)}`,
    );
  if (own(m, 'training') && /** @type {number} */ (m.formatVersion) < 2)
    c.fail('$.training', '', `a training section needs formatVersion 2, the bundle says ${m.formatVersion}`);
  if (own(m, 'tokenizer') && /** @type {number} */ (m.formatVersion) < 3)
    c.fail('$.tokenizer', '', `a tokenizer section needs formatVersion 3, the bundle says ${m.formatVersion}`);
  c.integer(m.opsetVersion, '$.opsetVersion', '', 1);
  const producer = c.object(m.producer, '$.producer', ['name', 'version'], null);
  c.string(producer.name, '$.producer.name', '');
  c.string(producer.version, '$.producer.version', '');
  const sig = c.object(m.signature, '$.signature', ['inputs', 'outputs']);
  for (const key of ['inputs', 'outputs'])
    c.array(sig[key], `$.signature.${key}`, '', 1).forEach((t, i) => c.tensorSpec(t, `$.signature.${key}[${i}]`));
  const graph = c.object(m.graph, '$.graph', ['nodes']);
  c.array(graph.nodes, '$.graph.nodes', '').forEach((n, i) => c.node(n, `$.graph.nodes[${i}]`));
  const weights = c.object(m.weights, '$.weights', ['shards', 'tensors']);
  c.array(weights.shards, '$.weights.shards', '').forEach((s, i) => {
    const path = `$.weights.shards[${i}]`;
    const o = c.object(s, path, ['file', 'byteLength', 'sha256']);
    c.string(o.file, `${path}.file`, '', /^weights-[0-9]{3,}\.bin$/);
    c.integer(o.byteLength, `${path}.byteLength`, '', 1);
    c.string(o.sha256, `${path}.sha256`, '', /^[0-9a-f]{64}$/);
  });
  c.array(weights.tensors, '$.weights.tensors', '').forEach((t, i) => c.tensor(t, `$.weights.tensors[${i}]`));
  const metadata = c.object(m.metadata, '$.metadata', [], null);
  if (own(metadata, 'preprocessing')) checkPreprocessing(c, metadata.preprocessing, sig.inputs[0]);
  const test = c.object(m.selftest, '$.selftest', ['inputs', 'outputs', 'tolerance']);
  for (const key of ['inputs', 'outputs'])
    c.array(test[key], `$.selftest.${key}`, '', 1).forEach((t, i) => c.encodedTensor(t, `$.selftest.${key}[${i}]`));
  const tol = c.object(test.tolerance, '$.selftest.tolerance', ['rtol', 'atol']);
  for (const key of ['rtol', 'atol']) {
    if (typeof tol[key] !== 'number' || !(tol[key] >= 0))
      c.fail(`$.selftest.tolerance.${key}`, '', `expected a number >= 0, got ${JSON.stringify(tol[key])}`);
  }
  return /** @type {Manifest} */ (/** @type {unknown} */ (m));
}

/**
 * ESCHEMA at the first non-finite number (`1e400` parses to Infinity) anywhere in the document,
 * naming its path. Iterative: a walk with an explicit stack, the path rebuilt only on failure.
 * @param {Checker} c
 * @param {unknown} doc
 */
function checkFinite(c, doc) {
  /** @typedef {{value: object, up: Frame | null, key: string | number}} Frame */
  /** @type {Frame[]} */
  const stack = [];
  if (doc !== null && typeof doc === 'object') stack.push({ value: doc, up: null, key: '$' });
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const value = /** @type {Record<string, unknown>} */ (frame.value);
    const keys = Array.isArray(value) ? null : Object.keys(value);
    const n = keys ? keys.length : /** @type {unknown[]} */ (/** @type {unknown} */ (value)).length;
    for (let i = 0; i < n; i++) {
      const key = keys ? keys[i] : i;
      const x = value[key];
      if (typeof x === 'number' && !Number.isFinite(x)) {
        let path = typeof key === 'number' ? `[${key}]` : `.${key}`;
        for (let f = /** @type {Frame | null} */ (frame); f; f = f.up)
          path = (typeof f.key === 'number' ? `[${f.key}]` : f.up ? `.${f.key}` : f.key) + path;
        c.fail(path, '', `expected a finite number, got ${x} (JSON numbers beyond ±1.8e308 are not representable)`);
      }
      if (x !== null && typeof x === 'object') stack.push({ value: x, up: frame, key });
    }
  }
}

/**
 * `metadata.preprocessing`, as `classify` applies it (`x * scale`, then `(x - mean) / std`): `scale` a
 * finite number; `mean` and `std` finite numbers or arrays that broadcast to the input's last (channel)
 * dim; no zero in `std`. Caught here, at load, rather than as NaN probabilities from `classify`.
 * @param {Checker} c
 * @param {unknown} pre
 * @param {TensorSpecJson} input the signature's first input (the one classify feeds)
 */
function checkPreprocessing(c, pre, input) {
  const path = '$.metadata.preprocessing';
  const o = c.object(pre, path, [], null);
  if (own(o, 'scale') && typeof o.scale !== 'number')
    c.fail(`${path}.scale`, '', `expected a number, got ${kind(o.scale)} ${JSON.stringify(o.scale)}`);
  const channels = input.shape.length ? input.shape[input.shape.length - 1] : 1;
  if (own(o, 'mean')) c.numbers(o.mean, `${path}.mean`, channels);
  if (own(o, 'std')) {
    const std = c.numbers(o.std, `${path}.std`, channels);
    const zero = std.indexOf(0);
    if (zero >= 0)
      c.fail(
        typeof o.std === 'number' ? `${path}.std` : `${path}.std[${zero}]`,
        '',
        'std must not be 0 (classify divides by it)',
      );
  }
}

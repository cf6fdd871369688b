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

export const FORMAT = 'webgrad-bundle';
export const FORMAT_VERSION = 1;

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
export function parseManifest(bytes, where) {
  let value;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new WebgradError('EJSON', `${where}: invalid JSON: ${/** @type {Error} */ (e).message}`, { cause: e });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WebgradError('EJSON', `${where}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
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
    throw new WebgradError('EFORMAT', `${where}: 'format' is ${JSON.stringify(m.format)}, expected '${FORMAT}' (not a webgrad bundle)`);
  }
  for (const [key, supported] of /** @type {[string, number][]} */ ([['formatVersion', FORMAT_VERSION], ['opsetVersion', OPSET.opsetVersion]])) {
    const got = m[key];
    if (Number.isInteger(got) && /** @type {number} */ (got) > supported) {
      throw new WebgradError('EVERSION', `${where}: ${key} ${got} is newer than this webgrad runtime (${VERSION}) supports (${key} ${supported}); upgrade the npm package webgrad (npm install webgrad@latest) to read it`);
    }
  }
}

/** Walks the manifest, throwing ESCHEMA at the first violation. */
class Checker {
  /** @param {string} where */
  constructor(where) {
    this.where = where;
  }

  /**
   * @param {string} path @param {string} named @param {string} message
   * @returns {never}
   */
  fail(path, named, message) {
    throw new WebgradError('ESCHEMA', `${this.where}: schema violation at ${path}${named ? ` ('${named}')` : ''}: ${message}`);
  }

  /**
   * An object with `required` keys and (when `allowed` is given) no others; returns it.
   * @param {unknown} v @param {string} path @param {readonly string[]} required @param {readonly string[] | null} allowed
   * @returns {Record<string, any>}
   */
  object(v, path, required, allowed = required) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, '', `expected an object, got ${kind(v)}`);
    const o = /** @type {Record<string, any>} */ (v);
    const named = typeof o.name === 'string' ? o.name : '';
    for (const key of required) if (!(key in o)) this.fail(path, named, `'${key}' is a required property`);
    if (allowed) {
      const extra = Object.keys(o).filter((k) => !allowed.includes(k));
      if (extra.length) this.fail(path, named, `additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} unexpected)`);
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

  /** @param {unknown} v @param {string} path @param {string} named @param {number} [min] */
  integer(v, path, named, min = 0) {
    if (!Number.isInteger(v) || /** @type {number} */ (v) < min) this.fail(path, named, `expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  }

  /** @param {unknown} v @param {string} path @param {string} named @param {RegExp} [pattern] */
  string(v, path, named, pattern = /./) {
    if (typeof v !== 'string' || !pattern.test(v)) this.fail(path, named, `expected a string matching ${pattern}, got ${JSON.stringify(v)}`);
  }

  /** @param {unknown} v @param {string} path @param {string} named */
  dtype(v, path, named) {
    if (!DTYPES.includes(/** @type {any} */ (v))) this.fail(path, named, `dtype must be one of ${DTYPES.join(', ')}, got ${JSON.stringify(v)}`);
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
    if (typeof o.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.data)) this.fail(`${path}.data`, o.name, 'expected a base64 string');
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
    const o = this.object(v, path, ['name', 'dtype', 'shape', 'offset', 'byteLength'], ['name', 'dtype', 'shape', 'offset', 'byteLength', 'quantization']);
    this.string(o.name, `${path}.name`, '');
    this.dtype(o.dtype, `${path}.dtype`, o.name);
    this.shape(o.shape, `${path}.shape`, o.name);
    this.integer(o.offset, `${path}.offset`, o.name);
    if (o.offset % 16) this.fail(`${path}.offset`, o.name, `offset ${o.offset} is not a multiple of 16`);
    this.integer(o.byteLength, `${path}.byteLength`, o.name);
    if (!('quantization' in o)) return;
    const q = this.object(o.quantization, `${path}.quantization`, ['scheme'], null);
    if (q.scheme === 'float16') this.object(q, `${path}.quantization`, ['scheme']);
    else if (q.scheme === 'int8_symmetric') {
      this.object(q, `${path}.quantization`, ['scheme', 'axis', 'scales']);
      this.integer(q.axis, `${path}.quantization.axis`, o.name);
      this.array(q.scales, `${path}.quantization.scales`, o.name, 1).forEach((s, i) => {
        if (typeof s !== 'number' || !(s > 0)) this.fail(`${path}.quantization.scales[${i}]`, o.name, `expected a number > 0, got ${JSON.stringify(s)}`);
      });
    } else this.fail(`${path}.quantization.scheme`, o.name, `expected 'float16' or 'int8_symmetric', got ${JSON.stringify(q.scheme)}`);
  }
}

/**
 * @param {unknown} v
 */
function kind(v) {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/**
 * Checks the structure of model.json against the bundle schema (format v1); returns it typed.
 * @param {Record<string, unknown>} m
 * @param {string} where
 * @returns {Manifest}
 */
export function checkStructure(m, where) {
  const c = new Checker(where);
  c.object(m, '$', ['format', 'formatVersion', 'opsetVersion', 'producer', 'signature', 'graph', 'weights', 'metadata', 'selftest']);
  if (m.formatVersion !== FORMAT_VERSION) c.fail('$.formatVersion', '', `expected ${FORMAT_VERSION}, got ${JSON.stringify(m.formatVersion)}`);
  c.integer(m.opsetVersion, '$.opsetVersion', '', 1);
  const producer = c.object(m.producer, '$.producer', ['name', 'version'], null);
  c.string(producer.name, '$.producer.name', '');
  c.string(producer.version, '$.producer.version', '');
  const sig = c.object(m.signature, '$.signature', ['inputs', 'outputs']);
  for (const key of ['inputs', 'outputs']) c.array(sig[key], `$.signature.${key}`, '', 1).forEach((t, i) => c.tensorSpec(t, `$.signature.${key}[${i}]`));
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
  c.object(m.metadata, '$.metadata', [], null);
  const test = c.object(m.selftest, '$.selftest', ['inputs', 'outputs', 'tolerance']);
  for (const key of ['inputs', 'outputs']) c.array(test[key], `$.selftest.${key}`, '', 1).forEach((t, i) => c.encodedTensor(t, `$.selftest.${key}[${i}]`));
  const tol = c.object(test.tolerance, '$.selftest.tolerance', ['rtol', 'atol']);
  for (const key of ['rtol', 'atol']) {
    if (typeof tol[key] !== 'number' || !(tol[key] >= 0)) c.fail(`$.selftest.tolerance.${key}`, '', `expected a number >= 0, got ${JSON.stringify(tol[key])}`);
  }
  return /** @type {Manifest} */ (/** @type {unknown} */ (m));
}

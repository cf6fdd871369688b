/**
 * Checks a node's attributes against the op set and fills in defaults (the JS twin of
 * exporter/opset.py `normalize_attrs`).
 * @module
 */

import { WebgradError } from '../errors.js';
import { DTYPES } from '../dtypes.js';
import { OPSET } from '../opset.js';
import { own } from './json_values.js';

/** @typedef {import('../opset.js').AttrSpec} AttrSpec */

/**
 * @param {string} where e.g. `Conv2D.padding`
 * @param {AttrSpec} spec
 * @param {unknown} value
 * @returns {unknown}
 */
function checkAttr(where, spec, value) {
  const bad = (/** @type {string} */ want) =>
    new WebgradError('EATTR', `${where} must be ${want}, got ${JSON.stringify(value)}`);
  if (value === null) {
    if (spec.nullable) return null;
    throw new WebgradError('EATTR', `${where} must not be null`);
  }
  switch (spec.type) {
    case 'bool':
      if (typeof value !== 'boolean') throw bad('a bool');
      return value;
    case 'int': // any integral JSON number (2.0 is 2) within ±(2^53 - 1); never a boolean
      if (!Number.isSafeInteger(value)) throw bad('an int');
      return value;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad('a number');
      return value;
    case 'ints':
      if (!Array.isArray(value) || !value.every((v) => Number.isSafeInteger(v))) throw bad('a list of ints');
      return [...value];
    case 'string':
      if (typeof value !== 'string' || !spec.values?.includes(value))
        throw bad(`one of ${JSON.stringify(spec.values)}`);
      return value;
    case 'dtype':
      if (typeof value !== 'string' || !DTYPES.includes(/** @type {any} */ (value)))
        throw bad(`one of ${JSON.stringify(DTYPES)}`);
      return value;
    case 'padding':
      if (value === 'SAME' || value === 'VALID') return value;
      if (Array.isArray(value) && value.length === 4 && value.every((v) => Number.isSafeInteger(v) && v >= 0))
        return [...value];
      throw bad("'SAME', 'VALID' or [top, bottom, left, right]");
    default:
      throw new WebgradError(
        'EATTR',
        `op set declares an unknown attribute type ${JSON.stringify(spec.type)} for ${where}`,
      );
  }
}

/**
 * `attrs` checked against op `op` of the op set, with defaults filled in (a new object).
 * @param {string} op a known op name
 * @param {Record<string, unknown>} attrs
 * @returns {Record<string, any>}
 */
export function normalizeAttrs(op, attrs) {
  const specs = OPSET.ops[op].attrs;
  // own keys only: 'constructor', '__proto__', 'toString' are unknown attributes, not the prototype's
  const unknown = Object.keys(attrs)
    .filter((k) => !own(specs, k))
    .sort();
  if (unknown.length) {
    throw new WebgradError(
      'EATTR',
      `${op} has no attribute(s) ${JSON.stringify(unknown)}; its attributes are ${JSON.stringify(Object.keys(specs).sort())}`,
    );
  }
  /** @type {Record<string, any>} */
  const out = {};
  for (const [key, spec] of Object.entries(specs)) {
    if (own(attrs, key)) out[key] = checkAttr(`${op}.${key}`, spec, attrs[key]);
    else if (own(spec, 'default')) out[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
    else throw new WebgradError('EATTR', `${op} needs attribute '${key}' (${spec.type})`);
  }
  return Object.freeze(out);
}

/**
 * A node's attributes checked against its op and defaulted: EUNKNOWN_OP for an op outside the op set
 * (own keys only: 'constructor' is no op; gradient ops are not bundle ops), EVERSION for an op newer
 * than the bundle's `declared` opsetVersion (a writer declares the version that has every op it uses,
 * so older runtimes reject its bundles for the right reason), EATTR for attributes the op does not
 * take. Used for the forward graph and the loss graph alike.
 * @param {{name: string, op: string, attrs: Record<string, unknown>}} n
 * @param {string} where the file or field, first in every message
 * @param {string} [node] how messages name the node (default `node '<name>'`)
 * @param {number} [declared] the bundle's opsetVersion (no check when absent)
 * @returns {Record<string, unknown>}
 */
export function checkedAttrs(n, where, node = `node '${n.name}'`, declared = undefined) {
  if (!own(OPSET.ops, n.op)) {
    throw new WebgradError(
      'EUNKNOWN_OP',
      `${where}: unknown op '${n.op}' in ${node}; op set v${OPSET.opsetVersion} has: ${Object.keys(OPSET.ops).sort().join(', ')}`,
    );
  }
  const since = OPSET.ops[n.op].since ?? 1;
  if (declared !== undefined && since > declared) {
    throw new WebgradError(
      'EVERSION',
      `${where}: ${node} uses op ${n.op}, which op set v${since} added, but the bundle declares opsetVersion ${declared}`,
    );
  }
  try {
    return normalizeAttrs(n.op, n.attrs);
  } catch (e) {
    throw new WebgradError('EATTR', `${where}: ${node}: ${/** @type {Error} */ (e).message}`, { cause: e });
  }
}

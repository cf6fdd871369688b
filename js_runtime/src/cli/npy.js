/**
 * A reader for NumPy `.npy` files (format versions 1-3): little-endian float32, int32 and uint8
 * (also int8, and float64 converted to float32), C order.
 * @module
 */

import { WebgradError } from '../errors.js';
import { sizeOf } from '../shapes.js';

/** descr -> [typed array constructor, dtype name] */
const DESCR = /** @type {Record<string, [any, string]>} */ ({
  '<f4': [Float32Array, 'float32'],
  '<i4': [Int32Array, 'int32'],
  '|u1': [Uint8Array, 'uint8'],
  '|i1': [Int8Array, 'int8'],
  '<f8': [Float64Array, 'float64'],
});

/**
 * Parses `.npy` bytes into `{data, shape, dtype}` (float64 data come back as float32).
 * @param {Uint8Array} bytes
 * @param {string} [name] the file name, for messages
 * @returns {{data: Float32Array | Int32Array | Uint8Array | Int8Array, shape: number[], dtype: 'float32' | 'int32' | 'uint8' | 'int8'}}
 */
export function parseNpy(bytes, name = '.npy file') {
  const fail = (/** @type {string} */ why) => new WebgradError('EPARSE', `${name}: not a readable .npy file: ${why}`);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw fail('missing the \\x93NUMPY magic');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (major < 1 || major > 3 || start + headerLen > bytes.length)
    throw fail(`unsupported version ${major} or truncated header`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw fail(`bad header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') throw fail('Fortran (column-major) order is not supported; save a C-order array');
  const kind = DESCR[descr];
  if (!kind)
    throw fail(
      `dtype ${descr} is not supported (float32 '<f4', int32 '<i4', uint8 '|u1', int8 '|i1' or float64 '<f8')`,
    );
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = sizeOf(shape);
  const offset = start + headerLen;
  const [Typed, dtype] = kind;
  if (bytes.length - offset < count * Typed.BYTES_PER_ELEMENT)
    throw fail(
      `data has ${bytes.length - offset} bytes, shape (${shape}) of ${dtype} needs ${count * Typed.BYTES_PER_ELEMENT}`,
    );
  const copy = bytes.slice(offset, offset + count * Typed.BYTES_PER_ELEMENT);
  const data = new Typed(copy.buffer, 0, count);
  if (dtype === 'float64') return { data: Float32Array.from(data), shape, dtype: 'float32' };
  return { data, shape, dtype: /** @type {'float32' | 'int32' | 'uint8' | 'int8'} */ (dtype) };
}

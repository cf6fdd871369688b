/**
 * Reads a CLI input file (.npy, .json or .png) into `{data, shape}` raw values, shaped for the model's
 * input: a PNG becomes greyscale (or RGB for 3-channel models) [1, H, W, C] pixels in [0, 255].
 * @module
 */

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { WebgradError } from '../errors.js';
import { MAX_JSON_DEPTH, tooDeepAt } from '../loader/json_depth.js';
import { parseNpy } from './npy.js';
import { decodePng, toChannels } from './png.js';

/** @typedef {import('../executor.js').TensorSpec} TensorSpec */

/**
 * @param {string} path
 * @param {TensorSpec} spec the model's input
 * @returns {Promise<{data: ArrayLike<number> | unknown[], shape?: number[]}>}
 */
export async function readInputFile(path, spec) {
  let bytes;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new WebgradError('EPARSE', `${path}: cannot read: ${/** @type {Error} */ (e).message}`);
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.npy') return parseNpy(bytes, path);
  if (ext === '.json') {
    let value;
    try {
      const text = new TextDecoder().decode(bytes);
      // flat(Infinity) below recurses: refuse deep nesting up front, as the bundle loader does
      if (tooDeepAt(text) >= 0) throw new Error(`nested deeper than ${MAX_JSON_DEPTH} arrays/objects`);
      value = JSON.parse(text);
    } catch (e) {
      throw new WebgradError('EPARSE', `${path}: invalid JSON: ${/** @type {Error} */ (e).message}`);
    }
    if (Array.isArray(value)) return { data: value };
    if (value && Array.isArray(value.data)) return { data: value.data.flat(Infinity), shape: value.shape };
    throw new WebgradError('EPARSE', `${path}: expected {"data": [...], "shape": [...]} or nested arrays`);
  }
  if (ext === '.png') {
    const image = decodePng(bytes, path);
    const [, h, w, c] = spec.shape;
    if (spec.shape.length !== 4 || (c !== 1 && c !== 3)) {
      throw new WebgradError(
        'ESHAPE',
        `${path}: the model's input '${spec.name}' is [${spec.shape.join(', ')}], not an NHWC image with 1 or 3 channels`,
      );
    }
    if ((h !== null && h !== image.height) || (w !== null && w !== image.width)) {
      throw new WebgradError(
        'ESHAPE',
        `${path}: the image is ${image.width}x${image.height}, the model expects ${w}x${h} (resizing is not supported)`,
      );
    }
    return { data: toChannels(image, c), shape: [1, image.height, image.width, c] };
  }
  throw new WebgradError('EPARSE', `${path}: unknown input type '${ext}'; use .npy, .json or .png`);
}

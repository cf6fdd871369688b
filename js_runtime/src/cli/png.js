/**
 * A small PNG decoder for the CLI (Node.js only: zlib through node:zlib): 8-bit greyscale, grey +
 * alpha, RGB and RGBA, not interlaced, all five row filters (None, Sub, Up, Average, Paeth).
 * @module
 */

import { inflateSync } from 'node:zlib';
import { WebgradError } from '../errors.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** colour type -> channels */
const CHANNELS = /** @type {Record<number, number>} */ ({ 0: 1, 2: 3, 4: 2, 6: 4 });

/**
 * Decodes PNG bytes into 8-bit pixels, row-major, interleaved channels.
 * @param {Uint8Array} bytes
 * @param {string} [name] the file name, for messages
 * @returns {{width: number, height: number, channels: number, data: Uint8Array}}
 */
export function decodePng(bytes, name = 'PNG') {
  const fail = (/** @type {string} */ why) => new WebgradError('EPARSE', `${name}: cannot decode PNG: ${why}`);
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw fail('missing the PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let channels = 0;
  /** @type {Uint8Array[]} */
  const idat = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (body.length !== length) throw fail(`truncated ${type} chunk`);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const [depth, colour, , , interlace] = body.subarray(8, 13);
      if (depth !== 8) throw fail(`bit depth ${depth} is not supported (8-bit only)`);
      if (!(colour in CHANNELS))
        throw fail(`colour type ${colour} is not supported (greyscale, grey+alpha, RGB, RGBA; no palette)`);
      if (interlace !== 0) throw fail('interlaced images are not supported');
      channels = CHANNELS[colour];
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (!channels) throw fail('no IHDR chunk');
  if (!idat.length) throw fail('no IDAT chunk');
  let raw;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw fail(`bad zlib data: ${/** @type {Error} */ (e).message}`);
  }
  const stride = width * channels;
  if (raw.length < height * (stride + 1))
    throw fail(`image data has ${raw.length} bytes, ${width}x${height}x${channels} needs ${height * (stride + 1)}`);
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[row + x - channels] : 0;
      const b = y > 0 ? out[row - stride + x] : 0;
      const c = x >= channels && y > 0 ? out[row - stride + x - channels] : 0;
      let pred;
      if (filter === 0) pred = 0;
      else if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) pred = paeth(a, b, c);
      else throw fail(`row ${y} has unknown filter type ${filter}`);
      out[row + x] = (raw[src + x] + pred) & 0xff;
    }
  }
  return { width, height, channels, data: out };
}

/** @param {number} a @param {number} b @param {number} c */
function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Pixels converted to `channels` (1: greyscale with the ITU-R 601 luma weights; 3: RGB), alpha dropped.
 * @param {{width: number, height: number, channels: number, data: Uint8Array}} image
 * @param {number} channels 1 or 3
 * @returns {Float32Array} height x width x channels values in [0, 255]
 */
export function toChannels(image, channels) {
  const n = image.width * image.height;
  const out = new Float32Array(n * channels);
  const c = image.channels;
  for (let p = 0; p < n; p++) {
    const px = image.data.subarray(p * c, p * c + c);
    const rgb = c >= 3 ? [px[0], px[1], px[2]] : [px[0], px[0], px[0]];
    if (channels === 1) out[p] = c >= 3 ? 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] : px[0];
    else for (let k = 0; k < 3; k++) out[p * 3 + k] = rgb[k];
  }
  return out;
}

/**
 * MNIST-style preprocessing of a drawing, the one place the page turns ink into model input:
 * crop to the ink's bounding box, scale it (aspect kept) so its longer side is 20 px with area
 * averaging (the anti-aliasing MNIST's digits have), stretch the contrast so the darkest ink is 255,
 * then place it in a 28x28 field with its centre of mass at the centre (14, 14) — how the MNIST digits
 * were made, so a drawing looks like what the model was trained on. The output is raw 0-255 pixels:
 * the bundle's own preprocessing (`metadata.preprocessing`, e.g. scale 1/255) is applied by
 * `model.classify`.
 * @module
 */

export const SIZE = 28;
export const BOX = 20;
/** Ink below this (0-255) does not count for the bounding box: stray anti-aliasing. */
const INK_THRESHOLD = 16;

/**
 * @typedef {object} Box a pixel rectangle, end exclusive
 * @property {number} x0
 * @property {number} y0
 * @property {number} x1
 * @property {number} y1
 */

/**
 * The bounding box of pixels at or above `threshold`, or null for an empty image.
 * @param {ArrayLike<number>} gray row-major, 0-255
 * @param {number} width
 * @param {number} height
 * @param {number} [threshold]
 * @returns {Box | null}
 */
export function boundingBox(gray, width, height, threshold = INK_THRESHOLD) {
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x] >= threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * For each of `dst` output cells, the source cells it covers and by how much (weights sum to 1):
 * a box filter, so a 10x shrink averages 10 pixels instead of sampling one (no aliasing).
 * @param {number} src
 * @param {number} dst
 * @returns {[number, number][][]}
 */
function areaWeights(src, dst) {
  const step = src / dst;
  const out = [];
  for (let i = 0; i < dst; i++) {
    const a = i * step,
      b = (i + 1) * step;
    /** @type {[number, number][]} */
    const taps = [];
    for (let s = Math.floor(a); s < Math.min(src, Math.ceil(b)); s++) {
      const cover = Math.min(b, s + 1) - Math.max(a, s);
      if (cover > 0) taps.push([s, cover / step]);
    }
    out.push(taps);
  }
  return out;
}

/**
 * Resamples the `box` of a `width`-wide image to `outW` x `outH` by area averaging.
 * @param {ArrayLike<number>} gray
 * @param {number} width
 * @param {Box} box
 * @param {number} outW
 * @param {number} outH
 * @returns {Float32Array}
 */
export function resampleArea(gray, width, box, outW, outH) {
  const cw = box.x1 - box.x0,
    ch = box.y1 - box.y0;
  const wx = areaWeights(cw, outW),
    wy = areaWeights(ch, outH);
  const rows = new Float32Array(ch * outW); // horizontal pass, then vertical (separable)
  for (let y = 0; y < ch; y++) {
    const base = (box.y0 + y) * width + box.x0;
    for (let i = 0; i < outW; i++) {
      let acc = 0;
      for (const [s, w] of wx[i]) acc += gray[base + s] * w;
      rows[y * outW + i] = acc;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let j = 0; j < outH; j++) {
    for (let i = 0; i < outW; i++) {
      let acc = 0;
      for (const [s, w] of wy[j]) acc += rows[s * outW + i] * w;
      out[j * outW + i] = acc;
    }
  }
  return out;
}

/**
 * The intensity-weighted centre of an image, in pixel-index coordinates.
 * @param {ArrayLike<number>} img
 * @param {number} w
 * @param {number} h
 * @returns {{x: number, y: number}}
 */
export function centerOfMass(img, w, h) {
  let sum = 0,
    sx = 0,
    sy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = img[y * w + x];
      sum += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return sum > 0 ? { x: sx / sum, y: sy / sum } : { x: (w - 1) / 2, y: (h - 1) / 2 };
}

/**
 * A drawing as a 28x28 MNIST-like digit (0-255, white ink on black), or null if nothing is drawn.
 * @param {ArrayLike<number>} gray the drawing, row-major, 0-255 ink
 * @param {number} width
 * @param {number} height
 * @returns {Uint8Array | null} (a plain Uint8Array view: what `model.classify` takes)
 */
export function toMnist(gray, width, height) {
  const box = boundingBox(gray, width, height);
  if (!box) return null;
  const cw = box.x1 - box.x0,
    ch = box.y1 - box.y0;
  const scale = BOX / Math.max(cw, ch);
  const w = Math.max(1, Math.round(cw * scale)),
    h = Math.max(1, Math.round(ch * scale));
  const small = resampleArea(gray, width, box, w, h);
  let peak = 0;
  for (const v of small) peak = Math.max(peak, v);
  const gain = peak > 0 ? 255 / peak : 0;
  const com = centerOfMass(small, w, h);
  const ox = Math.round(SIZE / 2 - com.x),
    oy = Math.round(SIZE / 2 - com.y);
  const out = new Uint8ClampedArray(SIZE * SIZE); // clamped: rounding 255.0001 must not wrap to 0
  for (let y = 0; y < h; y++) {
    const ty = y + oy;
    if (ty < 0 || ty >= SIZE) continue;
    for (let x = 0; x < w; x++) {
      const tx = x + ox;
      if (tx >= 0 && tx < SIZE) out[ty * SIZE + tx] = small[y * w + x] * gain;
    }
  }
  return new Uint8Array(out.buffer);
}

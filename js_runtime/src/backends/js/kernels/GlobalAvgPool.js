import { scratch } from './_scratch.js';

/** GlobalAvgPool: mean over H and W of NHWC x, giving [N, C].
 * @type {import('../../interface.js').Kernel} */
export function GlobalAvgPool(inputs, _attrs, output) {
  const x = /** @type {import('../../interface.js').View} */ (inputs[0]);
  const [batch, h, w, c] = x.shape;
  const X = x.data;
  const Y = output.data;
  const acc = scratch(c);
  const pixels = h * w;
  for (let b = 0; b < batch; b++) {
    acc.fill(0, 0, c);
    for (let p = 0, base = b * pixels * c; p < pixels; p++, base += c) {
      for (let q = 0; q < c; q++) acc[q] += X[base + q];
    }
    for (let q = 0; q < c; q++) Y[b * c + q] = acc[q] / pixels;
  }
}

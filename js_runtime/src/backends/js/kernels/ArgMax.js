import { aroundAxis } from '../../../math/axis.js';

/** ArgMax: int32 index of the largest value along axis; the first on ties; the first NaN wins (numpy).
 * @type {import('../../interface.js').Kernel} */
export function ArgMax(inputs, attrs, output) {
  const x = /** @type {import('../../interface.js').View} */ (inputs[0]);
  const [outer, n, inner] = aroundAxis('ArgMax', x.shape, attrs.axis);
  const X = x.data;
  const Y = output.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = X[base];
      let at = 0;
      for (let k = 1, p = base + inner; k < n && best === best; k++, p += inner) {
        const v = X[p];
        if (v > best || v !== v) {
          best = v;
          at = k;
        }
      }
      Y[o * inner + i] = at;
    }
  }
}

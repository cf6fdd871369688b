/* ArgMax along one axis of x viewed as [outer, n, inner]: int32 index of the largest value, the
 * first one on ties; a NaN counts as the largest and the first NaN wins (numpy.argmax). */
#include "wg.h"

WG_EXPORT int wg_ArgMax(const float* x, int32_t* y, int32_t outer, int32_t n, int32_t inner) {
  if (outer < 0 || n < 1 || inner < 0) return WG_ERR_ARG;
  for (int o = 0; o < outer; o++) {
    const float* xo = x + (size_t)o * n * inner;
    int32_t* yo = y + (size_t)o * inner;
    int j = 0;
    for (; j + 4 <= inner; j += 4) { /* four columns per lane-wise pass */
      v128_t best = wasm_v128_load(xo + j), bi = wasm_i32x4_splat(0);
      for (int i = 1; i < n; i++) {
        const v128_t v = wasm_v128_load(xo + (size_t)i * inner + j);
        const v128_t take = wasm_v128_or(wasm_f32x4_gt(v, best), wasm_v128_and(wasm_f32x4_ne(v, v), wasm_f32x4_eq(best, best)));
        best = wasm_v128_bitselect(v, best, take);
        bi = wasm_v128_bitselect(wasm_i32x4_splat(i), bi, take);
      }
      wasm_v128_store(yo + j, bi);
    }
    for (; j < inner; j++) {
      float best = xo[j];
      int32_t bi = 0;
      for (int i = 1; i < n && best == best; i++) {
        const float v = xo[(size_t)i * inner + j];
        if (v > best || v != v) {
          best = v;
          bi = i;
        }
      }
      yo[j] = bi;
    }
  }
  return WG_OK;
}

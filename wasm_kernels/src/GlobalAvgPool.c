/* GlobalAvgPool: y[n, c] = mean over H*W of NHWC x[n, :, :, c]; hw = H * W. */
#include "wg.h"

WG_EXPORT int wg_GlobalAvgPool(const float* x, float* y, int32_t N, int32_t hw, int32_t C) {
  if (N < 0 || hw < 1 || C < 0) return WG_ERR_ARG;
  const int cv = C & ~3;
  const v128_t div = wasm_f32x4_splat((float)hw);
  for (int n = 0; n < N; n++, y += C) {
    const float* xn = x + (size_t)n * hw * C;
    int c = 0;
    for (; c + 16 <= C; c += 16) { /* four vectors of channels per pass over the pixels */
      v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
      for (int i = 0; i < hw; i++) {
        const float* px = xn + (size_t)i * C + c;
        a0 = wasm_f32x4_add(a0, wasm_v128_load(px));
        a1 = wasm_f32x4_add(a1, wasm_v128_load(px + 4));
        a2 = wasm_f32x4_add(a2, wasm_v128_load(px + 8));
        a3 = wasm_f32x4_add(a3, wasm_v128_load(px + 12));
      }
      wasm_v128_store(y + c, wasm_f32x4_div(a0, div));
      wasm_v128_store(y + c + 4, wasm_f32x4_div(a1, div));
      wasm_v128_store(y + c + 8, wasm_f32x4_div(a2, div));
      wasm_v128_store(y + c + 12, wasm_f32x4_div(a3, div));
    }
    for (; c < cv; c += 4) {
      v128_t a = wasm_f32x4_splat(0.0f);
      for (int i = 0; i < hw; i++) a = wasm_f32x4_add(a, wasm_v128_load(xn + (size_t)i * C + c));
      wasm_v128_store(y + c, wasm_f32x4_div(a, div));
    }
    for (; c < C; c++) {
      float s = 0.0f;
      for (int i = 0; i < hw; i++) s += xn[(size_t)i * C + c];
      y[c] = s / (float)hw;
    }
  }
  return WG_OK;
}

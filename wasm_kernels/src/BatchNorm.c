/* BatchNorm (inference) over the last axis: y = (x - mean) / sqrt(var + eps) * scale + bias, x viewed
 * as [rows, C]. Per channel a = scale / sqrt(var + eps) is computed once; y = (x - mean) * a + bias. */
#include "wg.h"

WG_EXPORT int wg_BatchNorm(const float* x, const float* scale, const float* bias, const float* mean, const float* var,
                           float* y, int32_t rows, int32_t C, float epsilon) {
  if (rows < 0 || C < 0) return WG_ERR_ARG;
  const uint32_t mark = wg_mark();
  float* a = wg_alloc((uint32_t)C * sizeof(float) + 16);
  if (!a) return WG_ERR_OOM;
  for (int c = 0; c < C; c++) a[c] = scale[c] / __builtin_sqrtf(var[c] + epsilon);
  const int cv = C & ~3;
  for (int r = 0; r < rows; r++) {
    const float* xr = x + (size_t)r * C;
    float* yr = y + (size_t)r * C;
    for (int c = 0; c < cv; c += 4) {
      const v128_t v = wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(mean + c));
      wasm_v128_store(yr + c, wasm_f32x4_add(wasm_f32x4_mul(v, wasm_v128_load(a + c)), wasm_v128_load(bias + c)));
    }
    for (int c = cv; c < C; c++) yr[c] = (xr[c] - mean[c]) * a[c] + bias[c];
  }
  wg_reset(mark);
  return WG_OK;
}

/* LayerNorm: x viewed as [rows, G] (G = the product of the normalized axes); per row
 * y = (x - mean) / sqrt(var + eps) * gamma + beta with the biased variance (two passes: mean, then
 * the centred sum of squares). A NaN in a row makes the whole row NaN. */
#include "wg.h"

WG_EXPORT int wg_LayerNorm(const float* x, const float* gamma, const float* beta, float* y, int32_t rows, int32_t G,
                           float epsilon) {
  if (rows < 0 || G < 1) return WG_ERR_ARG;
  const int gv = G & ~3;
  for (int r = 0; r < rows; r++) {
    const float* xr = x + (size_t)r * G;
    float* yr = y + (size_t)r * G;
    v128_t s = wasm_f32x4_splat(0.0f);
    int i = 0;
    for (; i < gv; i += 4) s = wasm_f32x4_add(s, wasm_v128_load(xr + i));
    float sum = wg_hsum(s);
    for (; i < G; i++) sum += xr[i];
    const float mean = sum / (float)G;
    const v128_t vm = wasm_f32x4_splat(mean);
    s = wasm_f32x4_splat(0.0f);
    for (i = 0; i < gv; i += 4) {
      const v128_t d = wasm_f32x4_sub(wasm_v128_load(xr + i), vm);
      s = wasm_f32x4_add(s, wasm_f32x4_mul(d, d));
    }
    float ss = wg_hsum(s);
    for (; i < G; i++) ss += (xr[i] - mean) * (xr[i] - mean);
    const float inv = 1.0f / __builtin_sqrtf(ss / (float)G + epsilon);
    const v128_t vi = wasm_f32x4_splat(inv);
    for (i = 0; i < gv; i += 4) {
      const v128_t d = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + i), vm), vi);
      wasm_v128_store(yr + i, wasm_f32x4_add(wasm_f32x4_mul(d, wasm_v128_load(gamma + i)), wasm_v128_load(beta + i)));
    }
    for (; i < G; i++) yr[i] = (xr[i] - mean) * inv * gamma[i] + beta[i];
  }
  return WG_OK;
}

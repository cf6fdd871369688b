/* LogSoftmaxGrad: dx = g - exp(y) * sum(g, axis) along one axis of [outer, n, inner] (y is the
 * LogSoftmax output). */
#include "../simd_math.h"

WG_EXPORT int wg_LogSoftmaxGrad(const float* g, const float* y, float* dx, int32_t outer, int32_t n, int32_t inner) {
  if (outer < 0 || n < 0 || inner < 0) return WG_ERR_ARG;
  for (int o = 0; o < outer; o++)
    for (int j = 0; j < inner; j++) {
      const size_t base = (size_t)o * n * inner + j;
      float s = 0.0f;
      for (int i = 0; i < n; i++) s += g[base + (size_t)i * inner];
      for (int i = 0; i < n; i++) {
        const size_t k = base + (size_t)i * inner;
        dx[k] = g[k] - wasm_f32x4_extract_lane(v_exp(wasm_f32x4_splat(y[k])), 0) * s;
      }
    }
  return WG_OK;
}

/* SoftmaxGrad: dx = g * y - y * sum(g * y, axis), in the numpy VJP's order, along one axis of
 * [outer, n, inner]. */
#include "../wg.h"

WG_EXPORT int wg_SoftmaxGrad(const float* g, const float* y, float* dx, int32_t outer, int32_t n, int32_t inner) {
  if (outer < 0 || n < 0 || inner < 0) return WG_ERR_ARG;
  for (int o = 0; o < outer; o++)
    for (int j = 0; j < inner; j++) {
      const size_t base = (size_t)o * n * inner + j;
      float s = 0.0f;
      for (int i = 0; i < n; i++) s += g[base + (size_t)i * inner] * y[base + (size_t)i * inner];
      for (int i = 0; i < n; i++) {
        const size_t k = base + (size_t)i * inner;
        dx[k] = g[k] * y[k] - y[k] * s;
      }
    }
  return WG_OK;
}

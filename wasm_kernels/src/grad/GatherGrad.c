/* GatherGrad: zeros of data's shape ([outer, n, inner] around the axis), then g's row for every index
 * added at that index (scatter-add, repeated indices add in index order). Negative indices count from
 * the end; one outside [-n, n) is WG_ERR_ARG before anything is written (the glue reports EINDEX). */
#include "../wg.h"

WG_EXPORT int wg_GatherGrad(const float* g, const int32_t* indices, float* dx, int32_t outer, int32_t n, int32_t inner,
                            int32_t n_indices) {
  if (outer < 0 || n < 0 || inner < 0 || n_indices < 0) return WG_ERR_ARG;
  for (int k = 0; k < n_indices; k++)
    if (indices[k] < -n || indices[k] >= n) return WG_ERR_ARG;
  __builtin_memset(dx, 0, (size_t)outer * n * inner * 4);
  for (int o = 0; o < outer; o++)
    for (int k = 0; k < n_indices; k++) {
      const int i = indices[k] < 0 ? indices[k] + n : indices[k];
      float* d = dx + ((size_t)o * n + i) * inner;
      const float* s = g + ((size_t)o * n_indices + k) * inner;
      int j = 0;
      for (; j + 4 <= inner; j += 4) wasm_v128_store(d + j, wasm_f32x4_add(wasm_v128_load(d + j), wasm_v128_load(s + j)));
      for (; j < inner; j++) d[j] += s[j];
    }
  return WG_OK;
}

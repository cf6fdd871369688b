/* Gather: y = take(data, indices, axis) with data viewed as [outer, n, inner] (n = data.shape[axis])
 * and y as [outer, n_indices, inner]. Negative indices count from the end; an index outside [-n, n)
 * gives a row of zeros (the reference raises; a kernel cannot). 4-byte elements (float32, int32). */
#include "wg.h"

WG_EXPORT int wg_Gather(const uint32_t* data, const int32_t* indices, uint32_t* y, int32_t outer, int32_t n,
                        int32_t inner, int32_t n_indices) {
  if (outer < 0 || n < 0 || inner < 0 || n_indices < 0) return WG_ERR_ARG;
  for (int o = 0; o < outer; o++) {
    const uint32_t* block = data + (size_t)o * n * inner;
    for (int j = 0; j < n_indices; j++, y += inner) {
      int i = indices[j];
      if (i < 0) i += n;
      if (i < 0 || i >= n)
        __builtin_memset(y, 0, (size_t)inner * 4);
      else
        __builtin_memcpy(y, block + (size_t)i * inner, (size_t)inner * 4);
    }
  }
  return WG_OK;
}

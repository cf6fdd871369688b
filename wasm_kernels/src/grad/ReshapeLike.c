/* ReshapeLike: g's data with like's shape: a copy of n 4-byte elements (the glue skips the call and
 * aliases when it can, as for Reshape). */
#include "../wg.h"

WG_EXPORT int wg_ReshapeLike(const float* g, float* y, int32_t n) {
  if (n < 0) return WG_ERR_ARG;
  if (y != g) __builtin_memmove(y, g, (size_t)n * 4);
  return WG_OK;
}

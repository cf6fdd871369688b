/* Reshape: row-major data does not move; copies n 4-byte elements (float32, int32) when y is a different
 * buffer (a JS executor may alias y to x instead and skip the call). */
#include "wg.h"

WG_EXPORT int wg_Reshape(const void* x, void* y, int32_t n) {
  if (n < 0) return WG_ERR_ARG;
  if (x != y) __builtin_memmove(y, x, (size_t)n * 4);
  return WG_OK;
}

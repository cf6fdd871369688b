/* Concat along one axis: with outer = prod(shape[:axis]), input i contributes rows of
 * sizes[i] = shape_i[axis] * prod(shape[axis+1:]) elements; y's row is all of them in order.
 * xs is an array of `count` pointers. 4-byte elements (float32, int32). */
#include "wg.h"

WG_EXPORT int wg_Concat(const uint32_t* const* xs, const int32_t* sizes, int32_t count, int32_t outer, uint32_t* y) {
  if (count < 0 || outer < 0) return WG_ERR_ARG;
  for (int i = 0; i < count; i++)
    if (sizes[i] < 0) return WG_ERR_ARG;
  for (int o = 0; o < outer; o++)
    for (int i = 0; i < count; i++) {
      __builtin_memcpy(y, xs[i] + (size_t)o * sizes[i], (size_t)sizes[i] * 4);
      y += sizes[i];
    }
  return WG_OK;
}

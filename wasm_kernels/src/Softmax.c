/* Softmax along one axis of x viewed as [outer, n, inner] (passes: _softmax.h). In place allowed. */
#include "_softmax.h"

WG_EXPORT int wg_Softmax(const float* x, float* y, int32_t outer, int32_t n, int32_t inner) {
  return softmax(x, y, outer, n, inner, 0);
}

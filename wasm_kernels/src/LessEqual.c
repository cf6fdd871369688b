/* LessEqual: y = (a <= b) ? 1.0f : 0.0f, numpy broadcasting, float32 or int32 operands (_compare.h). */
#include "_compare.h"

WG_EXPORT int wg_LessEqual(const float* a, const float* b, float* y, const wg_broadcast_params* p, int32_t is_int) {
  return wg_compare(a, b, y, p, is_int, WG_CMP_LT | WG_CMP_EQ);
}

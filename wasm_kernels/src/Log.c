/* Log: y = log(x) (simd_math.h), n floats (loop: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t log_v(v128_t x, v128_t alpha) {
  (void)alpha;
  return v_log(x);
}

static WG_UNARY_LOOP(unary_log, log_v)

WG_EXPORT int wg_Log(const float* x, float* y, int32_t n) {
  unary_log(x, y, n, 0);
  return WG_OK;
}

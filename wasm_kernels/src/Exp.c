/* Exp: y = exp(x) (simd_math.h), n floats (loop: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t exp_v(v128_t x, v128_t alpha) {
  (void)alpha;
  return v_exp(x);
}

static WG_UNARY_LOOP(unary_exp, exp_v)

WG_EXPORT int wg_Exp(const float* x, float* y, int32_t n) {
  unary_exp(x, y, n, 0);
  return WG_OK;
}

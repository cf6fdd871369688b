/* Tanh: y = tanh(x) (simd_math.h), n floats (loop: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t tanh_v(v128_t x, v128_t alpha) {
  (void)alpha;
  return v_tanh(x);
}

WG_UNARY_LOOP(wg_unary_tanh, tanh_v)

WG_EXPORT int wg_Tanh(const float* x, float* y, int32_t n) {
  wg_unary_tanh(x, y, n, 0);
  return WG_OK;
}

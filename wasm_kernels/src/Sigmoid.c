/* Sigmoid: y = 1 / (1 + exp(-x)) (simd_math.h), n floats (loop: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t sigmoid_v(v128_t x, v128_t alpha) {
  (void)alpha;
  return v_sigmoid(x);
}

WG_UNARY_LOOP(wg_unary_sigmoid, sigmoid_v)

WG_EXPORT int wg_Sigmoid(const float* x, float* y, int32_t n) {
  wg_unary_sigmoid(x, y, n, 0);
  return WG_OK;
}

/* Gelu: y = x * Phi(x); approximate 0: the exact erf form, 1: the tanh form (v_gelu in simd_math.h; loop:
 * _elementwise.h). The exact form is also the fused activation `gelu` (activation.c). */
#include "_elementwise.h"

WG_INLINE v128_t gelu_v(v128_t x, v128_t alpha) {
  (void)alpha;
  return v_gelu(x, 0);
}

WG_INLINE v128_t gelu_tanh_v(v128_t x, v128_t alpha) {
  (void)alpha;
  return v_gelu(x, 1);
}

WG_UNARY_LOOP(wg_unary_gelu, gelu_v)
static WG_UNARY_LOOP(unary_gelu_tanh, gelu_tanh_v)

WG_EXPORT int wg_Gelu(const float* x, float* y, int32_t n, int32_t approximate) {
  if (approximate)
    unary_gelu_tanh(x, y, n, 0);
  else
    wg_unary_gelu(x, y, n, 0);
  return WG_OK;
}

/* Sqrt: y = sqrt(x), n floats (loop: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t sqrt_v(v128_t x, v128_t alpha) {
  (void)alpha;
  return wasm_f32x4_sqrt(x);
}

static WG_UNARY_LOOP(unary_sqrt, sqrt_v)

WG_EXPORT int wg_Sqrt(const float* x, float* y, int32_t n) {
  unary_sqrt(x, y, n, 0);
  return WG_OK;
}

/* Relu6: y = min(max(x, 0), 6), n floats (loop: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t relu6_v(v128_t x, v128_t alpha) {
  (void)alpha;
  return wasm_f32x4_pmin(wasm_f32x4_pmax(x, V(0.0f)), V(6.0f));
}

WG_UNARY_LOOP(wg_unary_relu6, relu6_v)

WG_EXPORT int wg_Relu6(const float* x, float* y, int32_t n) {
  wg_unary_relu6(x, y, n, 0);
  return WG_OK;
}

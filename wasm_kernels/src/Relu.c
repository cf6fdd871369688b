/* Relu: y = max(x, 0), n floats (loop: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t relu_v(v128_t x, v128_t alpha) {
  (void)alpha;
  return wasm_f32x4_pmax(x, V(0.0f)); /* x < 0 ? 0 : x: NaN and -0 stay */
}

WG_UNARY_LOOP(wg_unary_relu, relu_v)

WG_EXPORT int wg_Relu(const float* x, float* y, int32_t n) {
  wg_unary_relu(x, y, n, 0);
  return WG_OK;
}

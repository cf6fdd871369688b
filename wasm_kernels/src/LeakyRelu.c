/* LeakyRelu: y = x >= 0 ? x : alpha * x, n floats (loop: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t leakyrelu_v(v128_t x, v128_t alpha) {
  return wasm_v128_bitselect(x, wasm_f32x4_mul(x, alpha), wasm_f32x4_ge(x, V(0.0f)));
}

WG_UNARY_LOOP(wg_unary_leaky_relu, leakyrelu_v)

WG_EXPORT int wg_LeakyRelu(const float* x, float* y, int32_t n, float alpha) {
  wg_unary_leaky_relu(x, y, n, alpha);
  return WG_OK;
}

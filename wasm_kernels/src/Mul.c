/* Mul: y = a * b with numpy broadcasting (run and walk: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t mul_v(v128_t a, v128_t b) { return wasm_f32x4_mul(a, b); }
WG_INLINE float mul_s(float a, float b) { return a * b; }

WG_BINARY_RUN(run_mul, mul_v, mul_s)

WG_EXPORT int wg_Mul(const float* a, const float* b, float* y, const wg_broadcast_params* p) {
  return wg_broadcast(a, b, y, p, run_mul);
}

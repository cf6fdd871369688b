/* Maximum: y = numpy.maximum(a, b) with numpy broadcasting
 * = (a > b or a is NaN) ? a : b, bit-matching numpy on ties, -0 and NaN: pmax(b, a) is
 * "b < a ? a : b", so only a NaN in a needs the extra select. (run and walk: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t maximum_v(v128_t a, v128_t b) { return wasm_v128_bitselect(a, wasm_f32x4_pmax(b, a), wasm_f32x4_ne(a, a)); }
WG_INLINE float maximum_s(float a, float b) { return (a > b || a != a) ? a : b; }

WG_BINARY_RUN(run_maximum, maximum_v, maximum_s)

WG_EXPORT int wg_Maximum(const float* a, const float* b, float* y, const wg_broadcast_params* p) {
  return wg_broadcast(a, b, y, p, run_maximum);
}

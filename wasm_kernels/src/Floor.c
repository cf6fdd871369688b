/* Floor: y = floor(x) over n floats (f32x4.floor: NaN, +-Inf and -0 stay; loop: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t floor_v(v128_t x, v128_t unused) {
  (void)unused;
  return wasm_f32x4_floor(x);
}

static WG_UNARY_LOOP(unary_floor, floor_v)

WG_EXPORT int wg_Floor(const float* x, float* y, int32_t n) {
  unary_floor(x, y, n, 0);
  return WG_OK;
}

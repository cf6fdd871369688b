/* Abs: y = |x| over n elements, float32 (the sign bit cleared: NaN stays NaN, -0 gives +0) or int32
 * (is_int; |INT32_MIN| wraps to INT32_MIN as numpy's). The int32 loop moves the values as bits through
 * the unary loop's float pointers (loop: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t abs_f32_v(v128_t x, v128_t unused) {
  (void)unused;
  return wasm_f32x4_abs(x);
}

WG_INLINE v128_t abs_i32_v(v128_t x, v128_t unused) {
  (void)unused;
  return wasm_i32x4_abs(x);
}

static WG_UNARY_LOOP(unary_abs_f32, abs_f32_v)
static WG_UNARY_LOOP(unary_abs_i32, abs_i32_v)

WG_EXPORT int wg_Abs(const float* x, float* y, int32_t n, int32_t is_int) {
  (is_int ? unary_abs_i32 : unary_abs_f32)(x, y, n, 0);
  return WG_OK;
}

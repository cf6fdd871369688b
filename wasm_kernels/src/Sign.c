/* Sign: y = -1, 0 or 1 by the sign of x over n elements; float32 (NaN stays NaN, +-0 gives +0) or int32
 * (is_int, moved as bits through the unary loop's float pointers; loop: _elementwise.h). */
#include "_elementwise.h"

WG_INLINE v128_t sign_f32_v(v128_t x, v128_t unused) {
  (void)unused;
  const v128_t one = V(1.0f);
  const v128_t s = wasm_v128_or(wasm_v128_and(wasm_f32x4_gt(x, V(0.0f)), one),
                                wasm_v128_and(wasm_f32x4_lt(x, V(0.0f)), V(-1.0f)));
  return wasm_v128_bitselect(x, s, wasm_f32x4_ne(x, x));
}

WG_INLINE v128_t sign_i32_v(v128_t x, v128_t unused) {
  (void)unused;
  const v128_t zero = wasm_i32x4_splat(0);
  /* a true lane is -1: mask(x < 0) - mask(x > 0) is -1, 0 or 1 */
  return wasm_i32x4_sub(wasm_i32x4_lt(x, zero), wasm_i32x4_gt(x, zero));
}

static WG_UNARY_LOOP(unary_sign_f32, sign_f32_v)
static WG_UNARY_LOOP(unary_sign_i32, sign_i32_v)

WG_EXPORT int wg_Sign(const float* x, float* y, int32_t n, int32_t is_int) {
  (is_int ? unary_sign_i32 : unary_sign_f32)(x, y, n, 0);
  return WG_OK;
}

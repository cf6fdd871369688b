/* The one run of the comparison ops (_compare.h): every lane computes GT, LT and EQ and keeps the
 * outcomes the op selects, branch-free, so six ops share two loops (float32, int32) instead of twelve. */
#include "_compare.h"

static v128_t sel_gt, sel_lt, sel_eq, flip; /* the op's selection: all-ones or all-zeros lanes, per call */

WG_INLINE v128_t pick(v128_t gt, v128_t lt, v128_t eq) {
  const v128_t m = wasm_v128_or(wasm_v128_or(wasm_v128_and(gt, sel_gt), wasm_v128_and(lt, sel_lt)),
                                wasm_v128_and(eq, sel_eq));
  return wasm_v128_and(wasm_v128_xor(m, flip), wasm_f32x4_splat(1.0f));
}

WG_INLINE v128_t cmp_f32_v(v128_t a, v128_t b) {
  return pick(wasm_f32x4_gt(a, b), wasm_f32x4_lt(a, b), wasm_f32x4_eq(a, b));
}
WG_INLINE v128_t cmp_i32_v(v128_t a, v128_t b) {
  return pick(wasm_i32x4_gt(a, b), wasm_i32x4_lt(a, b), wasm_i32x4_eq(a, b));
}
/* The scalar forms: the vector form on splats (a splat moves the bits, so an int32 stays intact). */
WG_INLINE float cmp_f32_s(float a, float b) {
  return wasm_f32x4_extract_lane(cmp_f32_v(wasm_f32x4_splat(a), wasm_f32x4_splat(b)), 0);
}
WG_INLINE float cmp_i32_s(float a, float b) {
  return wasm_f32x4_extract_lane(cmp_i32_v(wasm_f32x4_splat(a), wasm_f32x4_splat(b)), 0);
}

WG_BINARY_RUN(run_f32, cmp_f32_v, cmp_f32_s)
WG_BINARY_RUN(run_i32, cmp_i32_v, cmp_i32_s)

int wg_compare(const float* a, const float* b, float* y, const wg_broadcast_params* p, int32_t is_int, int op) {
  const v128_t on = wasm_i32x4_splat(-1), off = wasm_i32x4_splat(0);
  sel_gt = op & WG_CMP_GT ? on : off;
  sel_lt = op & WG_CMP_LT ? on : off;
  sel_eq = op & WG_CMP_EQ ? on : off;
  flip = op & WG_CMP_NOT ? on : off;
  return wg_broadcast(a, b, y, p, is_int ? run_i32 : run_f32);
}

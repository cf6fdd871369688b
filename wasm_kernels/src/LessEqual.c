/* LessEqual: y = (a <= b) ? 1.0f : 0.0f, numpy broadcasting, float32 or int32 operands (_compare.h). */
#include "_compare.h"

WG_COMPARE_RUNS(less_equal, wasm_f32x4_le, wasm_i32x4_le, <=)

WG_EXPORT int wg_LessEqual(const float* a, const float* b, float* y, const wg_broadcast_params* p, int32_t is_int) {
  return wg_broadcast(a, b, y, p, is_int ? run_less_equal_i32 : run_less_equal_f32);
}

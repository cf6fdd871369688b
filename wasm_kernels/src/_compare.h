/* The comparison ops (Greater.c ... NotEqual.c): y = 1.0f where the comparison holds, else 0.0f (the op
 * set's float32 mask), with numpy broadcasting through the binary ops' walk (broadcast.c). a and b are
 * both float32 or both int32 (is_int); an int32 operand travels through the float pointers as bits and
 * is compared as int32, never converted. Float comparisons follow IEEE-754 (NaN: false, except !=). */
#ifndef WG_COMPARE_H
#define WG_COMPARE_H
#include "_elementwise.h"

/* The mask lanes (all ones / all zeros) as 1.0f / 0.0f. */
WG_INLINE v128_t wg_mask_to_float(v128_t m) { return wasm_v128_and(m, wasm_f32x4_splat(1.0f)); }

WG_INLINE int32_t wg_as_i32(float v) { return __builtin_bit_cast(int32_t, v); }

/* Defines the broadcast runs run_<name>_f32 and run_<name>_i32 (wg_binary_run_fn) from the float and
 * int32 vector comparisons and the C operator; the op file's wg_<Op> picks one by dtype. */
#define WG_COMPARE_RUNS(name, f32cmp, i32cmp, OPERATOR)                                                     \
  WG_INLINE v128_t name##_fv(v128_t a, v128_t b) { return wg_mask_to_float(f32cmp(a, b)); }                 \
  WG_INLINE float name##_fs(float a, float b) { return (a OPERATOR b) ? 1.0f : 0.0f; }                      \
  WG_INLINE v128_t name##_iv(v128_t a, v128_t b) { return wg_mask_to_float(i32cmp(a, b)); }                 \
  WG_INLINE float name##_is(float a, float b) { return (wg_as_i32(a) OPERATOR wg_as_i32(b)) ? 1.0f : 0.0f; } \
  WG_BINARY_RUN(run_##name##_f32, name##_fv, name##_fs)                                                     \
  WG_BINARY_RUN(run_##name##_i32, name##_iv, name##_is)

#endif

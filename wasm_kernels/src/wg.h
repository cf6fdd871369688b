/* webgrad WebAssembly-SIMD kernels: the shared ABI (params structs, codes) and helpers.
 *
 * Every exported kernel is `int wg_<OpName>(...)` and returns WG_OK (0) or a negative WG_ERR_*.
 * Pointers are byte offsets into the module's linear memory; sizes and shapes are int32 element
 * counts; every params struct is a flat run of 4-byte int32/float32 fields (byte offset = 4 * field
 * index), filled from JS with a DataView by writers generated from the same declaration
 * (wasm_kernels/params.json).
 */
#ifndef WG_H
#define WG_H

#include <stddef.h>
#include <stdint.h>
#include <wasm_simd128.h>

#define WG_EXPORT __attribute__((visibility("default")))
#define WG_INLINE static inline __attribute__((always_inline))
#define WG_NOINLINE static __attribute__((noinline))

enum { WG_OK = 0, WG_ERR_OOM = -1, WG_ERR_ARG = -2 };

/* The params structs, WG_MAX_RANK, WG_ABI_VERSION, the activation (WG_ACT_*) and dtype (WG_F32, ...)
 * codes: generated from wasm_kernels/params.json, the one declaration the JS writers and the tests
 * share. */
#include "wg_params.generated.h"

/* ---- vector helpers ---- */

#ifdef WG_RELAXED
#define wg_madd(a, b, c) wasm_f32x4_relaxed_madd((a), (b), (c)) /* a * b + c, fused where the CPU can */
#else
#define wg_madd(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

#define wg_splat wasm_f32x4_splat

WG_INLINE float wg_hsum(v128_t v) {
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}

WG_INLINE float wg_hmax(v128_t v) { /* NaN-propagating */
  v = wasm_f32x4_max(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_max(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}

WG_INLINE float wg_fmax_nan(float m, float x) { return (x > m || x != x) ? x : m; } /* NaN sticks */

/* ---- shared internals (runtime.c, activation.c) ---- */

void* wg_alloc(uint32_t bytes);
uint32_t wg_mark(void);
void wg_reset(uint32_t mark);
#ifdef WG_THREADS
/* Threaded builds: [begin, end) of `units` (rows of tiles, groups of panels, ...) that this thread's
 * share of the current call covers; every thread count covers each unit once, the same way. */
void wg_share(int32_t units, int32_t* begin, int32_t* end);
#endif

/* y[r * ld + c] = act(y[...]) for r < rows, c < cols. */
void wg_act_rows(float* y, int rows, int cols, int ld, int act, float alpha);
static inline void wg_act(float* y, int n, int act, float alpha) {
  if (act != WG_ACT_NONE) wg_act_rows(y, 1, n, n, act, alpha);
}

#endif

/* Memory: a bump allocator over linear memory (grown with memory.grow), and build facts.
 *
 * JS plans its arena with wg_alloc at load time. Kernels take their scratch (packed panels, im2col
 * blocks) above the current top and give it back before returning (wg_mark / wg_reset), so calls
 * leave the top where they found it. Any call may grow the memory: JS must re-create its typed-array
 * views over memory.buffer after each call (or check buffer.byteLength).
 */
#include "wg.h"

extern unsigned char __heap_base;
static uintptr_t heap_top;

#define WG_ALIGN 64u /* a cache line: panels start on one */

static uintptr_t top(void) {
  if (!heap_top) heap_top = (uintptr_t)&__heap_base;
  return heap_top;
}

/* Returns a 64-byte aligned block of `bytes` bytes, or 0 when memory cannot grow that far. */
WG_EXPORT void* wg_alloc(uint32_t bytes) {
  uintptr_t p = (top() + (WG_ALIGN - 1)) & ~(uintptr_t)(WG_ALIGN - 1);
  if (p < heap_top || bytes > UINTPTR_MAX - p) return 0;
  uintptr_t end = p + bytes;
  uintptr_t have = __builtin_wasm_memory_size(0) * (uintptr_t)65536;
  if (end > have) {
    uintptr_t pages = (end - have + 65535) / 65536;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
  }
  heap_top = end;
  return (void*)p;
}

/* The current top; everything allocated after it is freed by wg_reset(mark). */
WG_EXPORT uint32_t wg_mark(void) { return (uint32_t)top(); }

WG_EXPORT void wg_reset(uint32_t mark) {
  if (mark >= (uint32_t)(uintptr_t)&__heap_base) heap_top = mark;
}

/* Where the heap starts (nothing below it belongs to JS). */
WG_EXPORT uint32_t wg_heap_base(void) { return (uint32_t)(uintptr_t)&__heap_base; }

WG_EXPORT int32_t wg_abi_version(void) { return WG_ABI_VERSION; }

/* 1 in webgrad-relaxed.wasm (relaxed-SIMD fused multiply-add in GEMM/conv), 0 in webgrad-simd.wasm. */
WG_EXPORT int32_t wg_relaxed(void) {
#ifdef WG_RELAXED
  return 1;
#else
  return 0;
#endif
}

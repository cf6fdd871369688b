/* Memory: a bump allocator over linear memory (grown with memory.grow), and build facts.
 *
 * JS plans its arena with wg_alloc at load time. Kernels take their scratch (packed panels, im2col
 * blocks) above the current top and give it back before returning (wg_mark / wg_reset), so calls
 * leave the top where they found it. Any call may grow the memory: JS must re-create its typed-array
 * views over memory.buffer after each call (or check buffer.byteLength).
 *
 * Threaded builds (WG_THREADS: shared memory, one instance per thread): the allocator state is
 * thread-local. The main thread allocates as above; a worker bumps only inside the region
 * [base, limit) the main thread reserved for it (wg_thread_init) and never grows the memory, so its
 * scratch never meets anyone else's. A thread also holds its share of the current call
 * (wg_thread_part): the GEMM core computes only that share of its output tiles (wg_share).
 */
#include "wg.h"

extern unsigned char __heap_base;

#ifdef WG_THREADS
static _Thread_local uintptr_t heap_top;
static _Thread_local uintptr_t heap_limit; /* 0 on the main thread: it may grow the memory */
static _Thread_local int32_t share_part, share_parts = 1;
#else
static uintptr_t heap_top;
#endif

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
#ifdef WG_THREADS
  if (heap_limit && end > heap_limit) return 0; /* a worker's region is full: JS reruns the share */
#endif
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

#ifdef WG_THREADS
/* A worker's scratch region (after __wasm_init_tls gave it its own thread-local block). */
WG_EXPORT void wg_thread_init(uint32_t base, uint32_t limit) {
  heap_top = base;
  heap_limit = limit;
}

/* This thread computes share `part` of `parts` of the calls that follow (0 of 1: all of it). */
WG_EXPORT void wg_thread_part(int32_t part, int32_t parts) {
  share_part = part;
  share_parts = parts;
}

void wg_share(int32_t units, int32_t* begin, int32_t* end) {
  *begin = (int32_t)((int64_t)units * share_part / share_parts);
  *end = (int32_t)((int64_t)units * (share_part + 1) / share_parts);
}
#endif

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

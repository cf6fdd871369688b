/* The GEMM core's interface (gemm_core.c), used by MatMul.c and Conv2D.c. */
#ifndef WG_GEMM_CORE_H
#define WG_GEMM_CORE_H

#include "wg.h"

/* GEMM core: C[M, N] (row stride ldc) = act(A @ B + bias), on MR x 8 tiles. With relaxed madd
 * (one fused instruction per multiply-add) a 6x8 tile fits x86's 16 vector registers (12
 * accumulators, 2 of B, 1 of A; V8 keeps one as scratch); mul + add needs a temporary, so the SIMD128
 * build uses 5x8 (10 accumulators) and does not spill. */
#ifdef WG_RELAXED
#define WG_MR 6
#else
#define WG_MR 5
#endif
#define WG_NR 8

/* Writes rows [i0, i0 + rows) of A as ceil(rows / WG_MR) panels of [K][WG_MR] floats (zero-filled
 * past `rows`). */
typedef void (*wg_pack_a_fn)(const void* ctx, int i0, int rows, int K, float* dst);

typedef struct {
  int M, N, K;
  wg_pack_a_fn pack_a;
  const void* a_ctx;
  const float* a_row; /* M = 1 only: A as one contiguous row of K floats, or NULL to use pack_a */
  /* B: panel j (columns 8j..8j+7) row k is at b + j * b_panel_stride + k * b_ldb. A partial last
   * panel is read from b_edge (packed, row stride WG_NR) when b_edge is set. */
  const float* b;
  int b_ldb, b_panel_stride;
  const float* b_edge;
  float* c;
  int ldc;
  const float* bias; /* [N] or NULL */
  int act;
  float alpha;
} wg_gemm_args;

int wg_gemm(const wg_gemm_args* g);

/* A as a strided matrix: element (i, k) at a[i * rs + k * ks]; wg_pack_a_strided is its pack_a. */
typedef struct {
  const float* a;
  int rs, ks;
} wg_strided_a;
void wg_pack_a_strided(const void* ctx, int i0, int rows, int K, float* dst);
/* One A panel from row pointers: d[k * WG_MR + r] = rows[r][k] for k < len, 0 where rows[r] is NULL
 * or r >= mr (4 x 4 transposes in registers). */
void wg_pack_rows(const float* const* rows, int mr, int len, float* d);
/* Packs a K x N block (element (k, n) at src[k * rs + n * cs]) into panels of [K][WG_NR]. */
void wg_pack_b_strided(const float* src, int K, int N, int rs, int cs, float* dst);
uint32_t wg_packed_b_floats(int K, int N);
/* Sets g->b/b_ldb/b_panel_stride/b_edge for a row-major K x N B with row stride ldb; packs it (or
 * just its ragged edge) into scratch from wg_alloc as worthwhile. Returns WG_ERR_OOM on failure. */
int wg_gemm_set_b(wg_gemm_args* g, const float* b, int ldb, int transposed);

/* Helpers shared by the GEMVs of gemm_core.c (float32) and gemm_q.c (int8 / float16 weights), so that
 * both finish a row the same way and split it the same way among threads. */

/* Keeps LLVM from hoisting all the loads of a GEMV step ahead of its multiply-adds (see gemm_core.c). */
#define WG_LOAD_FENCE() __asm__ volatile("" ::: "memory")

/* Stores the first nr (<= WG_NR) of 8 outputs. */
WG_INLINE void wg_store_row8(float* c, v128_t v0, v128_t v1, int nr) {
  if (nr == WG_NR) {
    wasm_v128_store(c, v0);
    wasm_v128_store(c + 4, v1);
    return;
  }
  float t[WG_NR];
  wasm_v128_store(t, v0);
  wasm_v128_store(t + 4, v1);
  for (int j = 0; j < nr; j++) c[j] = t[j];
}

/* relu / relu6 / leaky_relu on 8 outputs in registers (the other activations run on the stored row,
 * wg_act_rows). */
WG_INLINE void wg_act_row8(v128_t* t0, v128_t* t1, int act, float alpha) {
  if (act == WG_ACT_RELU || act == WG_ACT_RELU6) {
    const v128_t zero = wasm_f32x4_splat(0.0f);
    *t0 = wasm_f32x4_pmax(*t0, zero);
    *t1 = wasm_f32x4_pmax(*t1, zero);
    if (act == WG_ACT_RELU6) {
      const v128_t six = wasm_f32x4_splat(6.0f);
      *t0 = wasm_f32x4_pmin(*t0, six);
      *t1 = wasm_f32x4_pmin(*t1, six);
    }
  } else if (act == WG_ACT_LEAKY_RELU) {
    const v128_t zero = wasm_f32x4_splat(0.0f), va = wasm_f32x4_splat(alpha);
    *t0 = wasm_v128_bitselect(*t0, wasm_f32x4_mul(*t0, va), wasm_f32x4_ge(*t0, zero));
    *t1 = wasm_v128_bitselect(*t1, wasm_f32x4_mul(*t1, va), wasm_f32x4_ge(*t1, zero));
  }
}

/* Which panels of a GEMV over N columns (`full` whole panels) this call computes: [*jp, *end3) in groups
 * of 3, then, when *tail, the 1-2 leftover whole panels and the ragged edge. In threaded builds, this
 * thread's share, in units of those groups and the tail, so every panel takes the same grouping (and
 * the same sums) for any thread count. */
WG_INLINE void wg_gemv_range(int N, int* jp, int* end3, int* tail) {
  const int full = N / WG_NR;
#ifdef WG_THREADS
  const int groups = full / 3;
  int u0, u1;
  wg_share(groups + (full % 3 || N % WG_NR ? 1 : 0), &u0, &u1);
  *jp = 3 * (u0 < groups ? u0 : groups);
  *end3 = 3 * (u1 < groups ? u1 : groups);
  *tail = u1 > groups;
#else
  *jp = 0;
  *end3 = full;
  *tail = 1;
#endif
}

#endif

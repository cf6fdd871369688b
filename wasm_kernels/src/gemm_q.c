/* MatMul and Conv2D on weights stored as int8 (per-output-channel scales) or float16, weight-only:
 * the activations stay float32. The weights sit in linear memory at their stored width, packed at
 * load by wg_pack_b_q into the GEMM core's panel layout; each call decodes them into float32 panels
 * (in registers or in scratch) and runs the float32 micro-kernels of gemm_core.c on them (or, for one
 * row, a copy of its GEMV), so the results are bit for bit
 * those of the float32 path on the dequantized weights (docs/quantized_execution.md):
 * - one row (a GEMV): each row of 8 values is decoded in registers as it is loaded (q_gemv below);
 * - a few rows (up to SMALL_ROWS): the panels are decoded a block of 3 at a time (the GEMV's
 *   grouping of panels, so the same sums in the same order) into a small buffer just before the
 *   micro-kernel reads them;
 * - many rows: the whole matrix is decoded once per call (K * N steps against M * K * N
 *   multiply-adds) and the float32 kernel (wg_MatMul, wg_Conv2D with w_packed) runs as it is. */
#include "gemm_core.h"
#include "gemm_q.h"
#include "gemv_panels.h"

/* Up to this many rows of A, MatMul decodes B a block of panels at a time. */
#define SMALL_ROWS (2 * WG_MR)
/* Panels decoded per block on that path: a multiple of 3 (gemm_core.c's GEMV takes panels by 3). */
#define BLOCK_PANELS 3

int wg_MatMul(const float* a, const float* b, const float* bias, float* y, const wg_matmul_params* p);
int wg_Conv2D(const float* x, const float* w, const float* bias, float* y, const wg_conv2d_params* p);

WG_INLINE int elem_bytes(int kind) { return kind == WG_Q_INT8 ? 1 : 2; }

void wg_q_decode_panels(const void* src, const float* scales, float* dst, int panels, int K, int kind) {
  if (kind == WG_Q_INT8) {
    const int8_t* q = (const int8_t*)src;
#pragma clang loop unroll(disable)
    for (int p = 0; p < panels; p++) {
      const v128_t s0 = wasm_v128_load(scales + p * WG_NR), s1 = wasm_v128_load(scales + p * WG_NR + 4);
#pragma clang loop unroll(disable)
      for (int k = 0; k < K; k++, q += WG_NR, dst += WG_NR) {
        const v128_t v = wasm_i16x8_load8x8(q);
        wasm_v128_store(dst, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(v)), s0));
        wasm_v128_store(dst + 4, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(v)), s1));
      }
    }
    return;
  }
  const uint16_t* h = (const uint16_t*)src;
#pragma clang loop unroll(disable)
  for (size_t i = 0, n = (size_t)panels * K; i < n; i++, h += WG_NR, dst += WG_NR) {
    const v128_t v = wasm_v128_load(h);
    wasm_v128_store(dst, finite_f16_to_f32(wasm_i32x4_extend_low_i16x8(v)));
    wasm_v128_store(dst + 4, finite_f16_to_f32(wasm_i32x4_extend_high_i16x8(v)));
  }
}

/* ---------------------------------------------------------------- M = 1 (GEMV), decoding in registers
 * gemv_panels.h's GEMV step (the float32 GEMV's) with each row of 8 decoded as it is loaded: the same
 * panels grouped the same way, the same sums in the same order, so the same bits as the float32 GEMV
 * on the dequantized panels, without writing them anywhere. */
#define NR WG_NR

/* The groups of 3 panels of a one-row product (gemm_core.c's GEMV takes them in the same groups), each
 * row of 8 weights decoded in registers; the 1-2 leftover panels and the ragged edge, a small part, go
 * through the decode-a-block path with gemm_core.c's GEMV (same grouping, no more code here). */
static void q8_gemv_3(int K, const float* a, const char* b, const float* scales, float* c, const float* bias,
                      int act, float alpha) {
  wg_gemv_panels(WG_Q_INT8, 3, K, a, b, (size_t)NR * K, NR, scales, c, NR, bias, act, alpha);
}
static void f16_gemv_3(int K, const float* a, const char* b, const float* scales, float* c, const float* bias,
                       int act, float alpha) {
  (void)scales;
  wg_gemv_panels(WG_Q_F16, 3, K, a, b, (size_t)NR * K * 2, NR * 2, 0, c, NR, bias, act, alpha);
}

/* y[0, 24 * groups) for a contiguous `a` and the first `groups` groups of 3 panels; returns the panel
 * the rest starts at. In threaded builds, this thread's share of the groups. */
static int q_gemv_groups(int kind, const float* a, const void* bq, const float* scales, const float* bias, float* y,
                         int N, int K, int act, float alpha) {
  const int groups = N / NR / 3;
  const size_t ps = (size_t)NR * K * elem_bytes(kind);
  int g0 = 0, g1 = groups;
#ifdef WG_THREADS
  wg_share(groups, &g0, &g1);
#endif
  for (int jp = 3 * g0; jp < 3 * g1; jp += 3) {
    const char* b = (const char*)bq + jp * ps;
    const float* bi = bias ? bias + jp * NR : 0;
    if (kind == WG_Q_INT8)
      q8_gemv_3(K, a, b, scales + jp * NR, y + jp * NR, bi, act, alpha);
    else
      f16_gemv_3(K, a, b, 0, y + jp * NR, bi, act, alpha);
  }
  return 3 * groups;
}

/* Packs a K x N matrix of 1- or 2-byte elements (element (k, n) at index k * rs + n * cs of src) into
 * panels of [K][WG_NR] (zeros past N), as wg_pack_b_strided does for floats. A MatMul weight [K, N]:
 * rs = N, cs = 1 ([N, K] with transpose_b: rs = 1, cs = K); group g of a Conv2D HWIO filter: src at
 * element g * O / G, rs = O, cs = 1, dst at g * (the group's packed elements). */
WG_EXPORT int wg_pack_b_q(const void* src, void* dst, int32_t K, int32_t N, int32_t rs, int32_t cs, int32_t kind) {
  if (K < 0 || N < 0 || (kind != WG_Q_INT8 && kind != WG_Q_F16)) return WG_ERR_ARG;
  /* load time only: kept small (no unrolling or vectorizing; the element size is a run-time value) */
  const int eb = elem_bytes(kind);
  const char* s = (const char*)src;
#pragma clang loop unroll(disable) vectorize(disable)
  for (int j0 = 0; j0 < N; j0 += WG_NR) {
    const int nr = N - j0 < WG_NR ? N - j0 : WG_NR;
#pragma clang loop unroll(disable) vectorize(disable)
    for (int k = 0; k < K; k++) {
      char* d = (char*)dst + ((size_t)j0 * K + (size_t)k * WG_NR) * eb;
      const char* e = s + ((size_t)k * rs + (size_t)j0 * cs) * eb;
#pragma clang loop unroll(disable) vectorize(disable)
      for (int j = 0; j < WG_NR * eb; j++) d[j] = j / eb < nr ? e[(size_t)(j / eb) * cs * eb + j % eb] : 0;
    }
  }
  return WG_OK;
}

WG_INLINE int bad_kind(int kind, const float* scales) {
  return !(kind == WG_Q_F16 || (kind == WG_Q_INT8 && scales));
}

/* y = act(op(a) @ B + bias), B stored packed by wg_pack_b_q (one matrix for every batch: b's batch
 * dims are all 1) with `scales` (int8: padded to whole panels). p as for wg_MatMul with b_packed = 1. */
WG_EXPORT int wg_MatMul_q(const float* a, const void* bq, const float* scales, const float* bias, float* y,
                          const wg_matmul_params* p, int32_t kind) {
  const int M = p->M, N = p->N, K = p->K, br = p->batch_rank;
  if (bad_kind(kind, scales) || !p->b_packed || p->transpose_b || M < 0 || N < 0 || K < 0 || br < 0 || br > 4)
    return WG_ERR_ARG;
  int batch = 1, a_full = 1;
  for (int d = 0; d < br; d++) {
    if (p->b_batch_shape[d] != 1) return WG_ERR_ARG;
    batch *= p->batch_shape[d];
    if (p->a_batch_shape[d] != p->batch_shape[d]) a_full = 0;
  }
  if (batch <= 0 || M == 0 || N == 0) return batch < 0 ? WG_ERR_ARG : WG_OK;
  const int panels = (N + WG_NR - 1) / WG_NR, foldable = batch == 1 || (a_full && !p->transpose_a);
  const int rows = foldable ? M * batch : M;
  const uint32_t mark = wg_mark();
  int rc = WG_OK;
  if (!foldable || rows > SMALL_ROWS) {
    float* w = wg_alloc((uint32_t)panels * WG_NR * (uint32_t)K * sizeof(float) + 16);
    if (!w) return WG_ERR_OOM;
    wg_q_decode_panels(bq, scales, w, panels, K, kind);
    rc = wg_MatMul(a, w, bias, y, p);
    wg_reset(mark);
    return rc;
  }
  if (p->activation < 0 || p->activation > WG_ACT_GELU) return WG_ERR_ARG;
  /* one row of A (or of A^T, [K, 1]) is contiguous: the bulk decoded in registers, the rest below */
  const int jp0 = rows == 1 ? q_gemv_groups(kind, a, bq, scales, bias, y, N, K, p->activation, p->alpha) : 0;
  if (jp0 == panels) return WG_OK;
  float* w = wg_alloc(BLOCK_PANELS * WG_NR * (uint32_t)(K > 0 ? K : 1) * sizeof(float));
  if (!w) return WG_ERR_OOM;
  wg_gemm_args g = {0};
  wg_strided_a sa = {a, p->transpose_a ? 1 : K, p->transpose_a ? M : 1};
  g.M = rows;
  g.K = K;
  g.ldc = N;
  g.act = p->activation;
  g.alpha = p->alpha;
  g.pack_a = wg_pack_a_strided;
  g.a_ctx = &sa;
  g.a_row = rows == 1 ? a : 0;
  g.b = w;
  g.b_ldb = WG_NR;
  g.b_panel_stride = WG_NR * K;
  const size_t panel_bytes = (size_t)WG_NR * K * elem_bytes(kind);
  for (int jp = jp0; jp < panels && rc == WG_OK; jp += BLOCK_PANELS) {
    const int np = panels - jp < BLOCK_PANELS ? panels - jp : BLOCK_PANELS, j = jp * WG_NR;
    wg_q_decode_panels((const char*)bq + jp * panel_bytes, scales ? scales + j : 0, w, np, K, kind);
    g.N = N - j < np * WG_NR ? N - j : np * WG_NR;
    g.c = y + j;
    g.bias = bias ? bias + j : 0;
    rc = wg_gemm(&g);
  }
  wg_reset(mark);
  return rc;
}

/* Conv2D (groups == 1 or grouped; not depthwise) with the filter packed by wg_pack_b_q group by group
 * (the layout wg_pack_conv2d gives floats) and `scales` padded to whole panels per group. p as for
 * wg_Conv2D with w_packed = 1. */
WG_EXPORT int wg_Conv2D_q(const float* x, const void* wq, const float* scales, const float* bias, float* y,
                          const wg_conv2d_params* p, int32_t kind) {
  if (bad_kind(kind, scales) || !p->w_packed || p->groups < 1 || p->C % p->groups || p->O % p->groups ||
      (p->groups == p->C && p->C > 1))
    return WG_ERR_ARG;
  const int G = p->groups, og = p->O / G, K = p->KH * p->KW * (p->C / G);
  if (K < 0 || og < 0) return WG_ERR_ARG;
  const int panels = G * ((og + WG_NR - 1) / WG_NR);
  const uint32_t mark = wg_mark();
  float* w = wg_alloc((uint32_t)panels * WG_NR * (uint32_t)K * sizeof(float) + 16);
  if (!w) return WG_ERR_OOM;
  wg_q_decode_panels(wq, scales, w, panels, K, kind);
  const int rc = wg_Conv2D(x, w, bias, y, p);
  wg_reset(mark);
  return rc;
}

/* The GEMM core shared by MatMul.c and Conv2D.c (interface: gemm_core.h). Compiled -O3 (build.py).
 *
 * Micro-kernel f32_gemm_{MR}x8 (6x8 in the relaxed build, 5x8 in the SIMD128 one; see WG_MR): an
 * MR x 8 tile of C kept in 2 * MR f32x4 accumulators over the whole K (per k: MR splat loads of A,
 * 2 loads of B, 2 * MR multiply-adds, relaxed_madd or mul + add), bias loaded into the accumulators,
 * relu/relu6/leaky_relu applied in registers, the other activations on the stored tile while it is
 * in L1. A is packed per block of rows into [K][MR] panels (that packing is where transpose_a and
 * Conv2D's im2col happen); B is read as panels of [K][8]: pre-packed by wg_pack_b, packed into
 * scratch per call, or, for a few rows of A, read in place from the row-major matrix.
 */
#include "gemm_core.h"
#include "gemv_panels.h"
#include "simd_math.h"

#define MR WG_MR
#define NR WG_NR

/* A block: about this many floats of packed A (an L2-sized share) per pass over B. */
#define A_BLOCK_FLOATS (48 * 1024)
/* Up to this many rows of A, an unpacked row-major B is read in place instead of packed. */
#define DIRECT_B_MAX_ROWS (2 * MR)

/* The tile for rows [0, mr): accumulate over K, then bias (preloaded), activation, store. With one
 * row (two with madd's longer latency) there are too few accumulators to hide the add/madd latency,
 * so K is split into two interleaved partial sums (added at the end). */
WG_INLINE void ukernel(const int mr, int K, const float* restrict a, const float* restrict b, int ldb,
                       float* restrict c, int ldc, int nr, const float* bias, int act, float alpha) {
  enum { KS_MAX = 2 };
#ifdef WG_RELAXED
  const int ks = mr <= 2 ? 2 : 1; /* measured in V8: more partial sums make TurboFan spill */
#else
  const int ks = mr == 1 ? 2 : 1;
#endif
  v128_t acc0[KS_MAX][MR], acc1[KS_MAX][MR];
  v128_t bias0 = wasm_f32x4_splat(0.0f), bias1 = bias0;
  if (bias) {
    bias0 = wasm_v128_load(bias);
    bias1 = wasm_v128_load(bias + 4);
  }
#pragma clang loop unroll(full)
  for (int s = 0; s < ks; s++)
#pragma clang loop unroll(full)
    for (int r = 0; r < mr; r++) {
      acc0[s][r] = s == 0 ? bias0 : wasm_f32x4_splat(0.0f);
      acc1[s][r] = s == 0 ? bias1 : wasm_f32x4_splat(0.0f);
    }
  int k = 0;
  if (ks > 1) {
    for (; k + ks <= K; k += ks) {
#pragma clang loop unroll(full)
      for (int s = 0; s < ks; s++) {
        const v128_t b0 = wasm_v128_load(b + s * ldb), b1 = wasm_v128_load(b + s * ldb + 4);
#pragma clang loop unroll(full)
        for (int r = 0; r < mr; r++) {
          const v128_t av = wasm_v128_load32_splat(a + s * MR + r);
          acc0[s][r] = wg_madd(av, b0, acc0[s][r]);
          acc1[s][r] = wg_madd(av, b1, acc1[s][r]);
        }
      }
      a += ks * MR;
      b += ks * ldb;
    }
  }
  for (; k < K; k++) {
    const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    b += ldb;
#pragma clang loop unroll(full)
    for (int r = 0; r < mr; r++) {
      const v128_t av = wasm_v128_load32_splat(a + r);
      acc0[0][r] = wg_madd(av, b0, acc0[0][r]);
      acc1[0][r] = wg_madd(av, b1, acc1[0][r]);
    }
    a += MR;
  }
#pragma clang loop unroll(full)
  for (int s = 1; s < ks; s++)
#pragma clang loop unroll(full)
    for (int r = 0; r < mr; r++) {
      acc0[0][r] = wasm_f32x4_add(acc0[0][r], acc0[s][r]);
      acc1[0][r] = wasm_f32x4_add(acc1[0][r], acc1[s][r]);
    }
  v128_t* t0 = acc0[0];
  v128_t* t1 = acc1[0];
  if (act == WG_ACT_RELU || act == WG_ACT_RELU6) {
    const v128_t zero = wasm_f32x4_splat(0.0f), six = wasm_f32x4_splat(6.0f);
#pragma clang loop unroll(full)
    for (int r = 0; r < mr; r++) {
      t0[r] = wasm_f32x4_pmax(t0[r], zero);
      t1[r] = wasm_f32x4_pmax(t1[r], zero);
      if (act == WG_ACT_RELU6) {
        t0[r] = wasm_f32x4_pmin(t0[r], six);
        t1[r] = wasm_f32x4_pmin(t1[r], six);
      }
    }
  } else if (act == WG_ACT_LEAKY_RELU) {
    const v128_t zero = wasm_f32x4_splat(0.0f), va = wasm_f32x4_splat(alpha);
#pragma clang loop unroll(full)
    for (int r = 0; r < mr; r++) {
      t0[r] = wasm_v128_bitselect(t0[r], wasm_f32x4_mul(t0[r], va), wasm_f32x4_ge(t0[r], zero));
      t1[r] = wasm_v128_bitselect(t1[r], wasm_f32x4_mul(t1[r], va), wasm_f32x4_ge(t1[r], zero));
    }
  }
#pragma clang loop unroll(full)
  for (int r = 0; r < mr; r++) wg_store_row8(c + r * ldc, t0[r], t1[r], nr);
  if (act >= WG_ACT_SIGMOID) wg_act_rows(c, mr, nr, ldc, act, alpha);
}

typedef void (*ukernel_fn)(int K, const float* a, const float* b, int ldb, float* c, int ldc, int nr,
                           const float* bias, int act, float alpha);
#define UKERNEL(m)                                                                                       \
  static void f32_gemm_##m##x8(int K, const float* a, const float* b, int ldb, float* c, int ldc, int nr, \
                               const float* bias, int act, float alpha) {                                \
    ukernel(m, K, a, b, ldb, c, ldc, nr, bias, act, alpha);                                              \
  }
UKERNEL(1)
UKERNEL(2)
UKERNEL(3)
UKERNEL(4)
UKERNEL(5)
#if MR == 6
UKERNEL(6)
static const ukernel_fn ukernels[MR + 1] = {0, f32_gemm_1x8, f32_gemm_2x8, f32_gemm_3x8,
                                            f32_gemm_4x8, f32_gemm_5x8, f32_gemm_6x8};
#else
static const ukernel_fn ukernels[MR + 1] = {0, f32_gemm_1x8, f32_gemm_2x8, f32_gemm_3x8, f32_gemm_4x8, f32_gemm_5x8};
#endif

/* ---------------------------------------------------------------- M = 1 (GEMV)
 * One row of A against P panels of B at once, streaming each panel ([K][8], as wg_pack_b writes it
 * or in place with row stride ldb): per k one splat load of A, 2 * P loads of B, 2 * P multiply-adds
 * into independent accumulators. P = 3 (6 accumulators) for the bulk: measured in V8 (Node 20,
 * x64) P = 4 spills (8 accumulators + loaded B > the 15 usable XMM registers) and P = 2 is slower;
 * the 1-2 leftover panels take P = 2 / 1 with K split into S = 4 / P interleaved partial sums.
 * Same fused epilogue as the tile kernel. ldb is inlined as a constant for packed panels (row
 * stride 8) so the loads use immediate offsets.
 * WG_LOAD_FENCE (gemm_core.h) keeps LLVM from hoisting all the loads of a step ahead of the
 * multiply-adds: V8 follows the wasm order, and the loaded vectors would then all be live at once and
 * spill. The step is wg_gemv_panels (gemv_panels.h), shared with the int8 / float16 GEMV of gemm_q.c. */

#define GEMV(P)                                                                                          \
  static void f32_gemv_##P(int K, const float* a, const float* b, int ps, int ldb, float* c, int nr,       \
                           const float* bias, int act, float alpha) {                                    \
    const char* bb = (const char*)b;                                                                     \
    if (ldb == NR)                                                                                       \
      wg_gemv_panels(WG_B_F32, P, K, a, bb, (size_t)ps * 4, NR * 4, 0, c, nr, bias, act, alpha);          \
    else                                                                                                 \
      wg_gemv_panels(WG_B_F32, P, K, a, bb, (size_t)ps * 4, (size_t)ldb * 4, 0, c, nr, bias, act, alpha); \
  }
GEMV(1)
GEMV(2)
GEMV(3)

/* C[1, N] = act(a @ B + bias) with a contiguous. */
static void gemv(const wg_gemm_args* g, const float* a, const float* bias_last) {
  const int N = g->N, K = g->K, full = N / NR;
  int jp, end3, tail;
  wg_gemv_range(N, &jp, &end3, &tail); /* this thread's share */
  for (; jp + 3 <= end3; jp += 3)
    f32_gemv_3(K, a, g->b + (size_t)jp * g->b_panel_stride, g->b_panel_stride, g->b_ldb, g->c + jp * NR, NR,
               g->bias ? g->bias + jp * NR : 0, g->act, g->alpha);
  if (!tail) return;
  for (; jp + 2 <= full; jp += 2)
    f32_gemv_2(K, a, g->b + (size_t)jp * g->b_panel_stride, g->b_panel_stride, g->b_ldb, g->c + jp * NR, NR,
               g->bias ? g->bias + jp * NR : 0, g->act, g->alpha);
  for (; jp < full; jp++)
    f32_gemv_1(K, a, g->b + (size_t)jp * g->b_panel_stride, g->b_panel_stride, g->b_ldb, g->c + jp * NR, NR,
               g->bias ? g->bias + jp * NR : 0, g->act, g->alpha);
  if (N % NR) {
    const int edge = g->b_edge != 0;
    f32_gemv_1(K, a, edge ? g->b_edge : g->b + (size_t)jp * g->b_panel_stride, 0, edge ? NR : g->b_ldb,
               g->c + jp * NR, N % NR, bias_last, g->act, g->alpha);
  }
}

int wg_gemm(const wg_gemm_args* g) {
  const int M = g->M, N = g->N, K = g->K;
  if (M <= 0 || N <= 0) return WG_OK;
  const uint32_t mark = wg_mark();
  int m0 = 0, m1 = M; /* the rows computed here */
#ifdef WG_THREADS
  if (M > 1) { /* this thread's share of the MR-row tiles: each tile is the same tile for any count */
    int t0, t1;
    wg_share((M + MR - 1) / MR, &t0, &t1);
    m0 = t0 * MR;
    m1 = t1 * MR < M ? t1 * MR : M;
    if (m0 >= m1) return WG_OK;
  }
#endif
  int mc = K > 0 ? A_BLOCK_FLOATS / K / MR * MR : M;
  if (mc < MR) mc = MR;
  if (mc > m1 - m0) mc = (m1 - m0 + MR - 1) / MR * MR;
  float* abuf = wg_alloc((uint32_t)mc * (uint32_t)(K > 0 ? K : 1) * sizeof(float));
  if (!abuf) return WG_ERR_OOM;
  const int panels = (N + NR - 1) / NR;
  float bias_edge[NR];
  const float* bias_last = 0;
  if (g->bias) {
    for (int j = 0; j < NR; j++) bias_edge[j] = (panels - 1) * NR + j < N ? g->bias[(panels - 1) * NR + j] : 0.0f;
    bias_last = bias_edge;
  }
  if (M == 1) {
    const float* a = g->a_row;
    if (!a) { /* pack the row, then close up the [K][MR] panel into a contiguous row */
      g->pack_a(g->a_ctx, 0, 1, K, abuf);
      for (int k = 1; k < K; k++) abuf[k] = abuf[(size_t)k * MR];
      a = abuf;
    }
    gemv(g, a, bias_last);
    wg_reset(mark);
    return WG_OK;
  }
  for (int i0 = m0; i0 < m1; i0 += mc) {
    const int rows = m1 - i0 < mc ? m1 - i0 : mc;
    g->pack_a(g->a_ctx, i0, rows, K, abuf);
    for (int jp = 0; jp < panels; jp++) {
      const int j = jp * NR, nr = N - j < NR ? N - j : NR;
      const int edge = nr < NR && g->b_edge;
      const float* bp = edge ? g->b_edge : g->b + (size_t)jp * g->b_panel_stride;
      const int ldb = edge ? NR : g->b_ldb;
      const float* bias = !g->bias ? 0 : jp == panels - 1 ? bias_last : g->bias + j;
      float* c = g->c + (size_t)i0 * g->ldc + j;
      for (int r0 = 0; r0 < rows; r0 += MR) {
        const int mr = rows - r0 < MR ? rows - r0 : MR;
        ukernels[mr](K, abuf + (size_t)r0 * K, bp, ldb, c + (size_t)r0 * g->ldc, g->ldc, nr, bias, g->act, g->alpha);
      }
    }
  }
  wg_reset(mark);
  return WG_OK;
}

/* ---------------------------------------------------------------- packing */

uint32_t wg_packed_b_floats(int K, int N) { return (uint32_t)((N + NR - 1) / NR) * NR * (uint32_t)K; }

void wg_pack_b_strided(const float* src, int K, int N, int rs, int cs, float* dst) {
  for (int j0 = 0; j0 < N; j0 += NR) {
    const int nr = N - j0 < NR ? N - j0 : NR;
    const float* s = src + (size_t)j0 * cs;
    if (nr == NR && cs == 1) {
      for (int k = 0; k < K; k++, dst += NR, s += rs) {
        wasm_v128_store(dst, wasm_v128_load(s));
        wasm_v128_store(dst + 4, wasm_v128_load(s + 4));
      }
    } else {
      for (int k = 0; k < K; k++, dst += NR, s += rs) {
        for (int j = 0; j < nr; j++) dst[j] = s[(size_t)j * cs];
        for (int j = nr; j < NR; j++) dst[j] = 0.0f;
      }
    }
  }
}

int wg_gemm_set_b(wg_gemm_args* g, const float* b, int ldb, int transposed) {
  const int K = g->K, N = g->N;
  if (!transposed && g->M <= DIRECT_B_MAX_ROWS) {
    g->b = b;
    g->b_ldb = ldb;
    g->b_panel_stride = NR;
    g->b_edge = 0;
    if (N % NR) {
      float* edge = wg_alloc(NR * (uint32_t)(K > 0 ? K : 1) * sizeof(float));
      if (!edge) return WG_ERR_OOM;
      wg_pack_b_strided(b + N / NR * NR, K, N % NR, ldb, 1, edge);
      g->b_edge = edge;
    }
    return WG_OK;
  }
  float* packed = wg_alloc(wg_packed_b_floats(K, N) * sizeof(float) + 16);
  if (!packed) return WG_ERR_OOM;
  if (transposed)
    wg_pack_b_strided(b, K, N, 1, ldb, packed);
  else
    wg_pack_b_strided(b, K, N, ldb, 1, packed);
  g->b = packed;
  g->b_ldb = NR;
  g->b_panel_stride = NR * K;
  g->b_edge = 0;
  return WG_OK;
}

/* ---------------------------------------------------------------- packing A */

void wg_pack_rows(const float* const* rows, int mr, int len, float* d) {
  const float* src[MR];
  for (int r = 0; r < MR; r++) src[r] = r < mr ? rows[r] : 0;
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int k = 0;
  for (; k + 4 <= len; k += 4, d += 4 * MR) {
    v128_t v[MR];
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) v[r] = src[r] ? wasm_v128_load(src[r] + k) : zero;
    const v128_t t0 = wasm_i32x4_shuffle(v[0], v[1], 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(v[2], v[3], 0, 4, 1, 5);
    const v128_t t2 = wasm_i32x4_shuffle(v[0], v[1], 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(v[2], v[3], 2, 6, 3, 7);
    wasm_v128_store(d, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
    wasm_v128_store(d + MR, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
    wasm_v128_store(d + 2 * MR, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
    wasm_v128_store(d + 3 * MR, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
#pragma clang loop unroll(full)
    for (int r = 4; r < MR; r++) {
      d[r] = wasm_f32x4_extract_lane(v[r], 0);
      d[MR + r] = wasm_f32x4_extract_lane(v[r], 1);
      d[2 * MR + r] = wasm_f32x4_extract_lane(v[r], 2);
      d[3 * MR + r] = wasm_f32x4_extract_lane(v[r], 3);
    }
  }
  for (; k < len; k++, d += MR)
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) d[r] = src[r] ? src[r][k] : 0.0f;
}

void wg_pack_a_strided(const void* ctx, int i0, int rows, int K, float* dst) {
  const wg_strided_a* s = (const wg_strided_a*)ctx;
  for (int r0 = 0; r0 < rows; r0 += MR, dst += (size_t)K * MR) {
    const int mr = rows - r0 < MR ? rows - r0 : MR;
    const float* a = s->a + (size_t)(i0 + r0) * s->rs;
    if (s->ks == 1) { /* row-major A: transpose MR rows into the panel */
      const float* p[MR];
      for (int r = 0; r < mr; r++) p[r] = a + (size_t)r * s->rs;
      wg_pack_rows(p, mr, K, dst);
      continue;
    }
    for (int k = 0; k < K; k++) {
      const float* ak = a + (size_t)k * s->ks;
      float* d = dst + (size_t)k * MR;
      if (s->rs == 1 && mr == MR) { /* transposed A: MR consecutive floats per k */
        wasm_v128_store(d, wasm_v128_load(ak));
        for (int r = 4; r < MR; r++) d[r] = ak[r];
      } else {
        for (int r = 0; r < MR; r++) d[r] = r < mr ? ak[(size_t)r * s->rs] : 0.0f;
      }
    }
  }
}

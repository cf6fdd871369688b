/* MatMul: y = act(op(a) @ op(b) + bias) over broadcast batch dims, on the GEMM core (gemm_core.c),
 * and the packing of its weights at load (wg_pack_b, wg_packed_b_size). */
#include "gemm_core.h"

/* Floats that wg_pack_b writes for a K x N matrix: ceil(N / 8) * 8 * K. */
WG_EXPORT uint32_t wg_packed_b_size(int32_t K, int32_t N) { return wg_packed_b_floats(K, N); }

/* Packs the weights of MatMul once (at load): b is [K, N] row-major ([N, K] with transpose_b) and
 * packed gets wg_packed_b_size(K, N) floats; then call wg_MatMul with b_packed = 1. */
WG_EXPORT int wg_pack_b(const float* b, float* packed, int32_t K, int32_t N, int32_t transpose_b) {
  if (K < 0 || N < 0) return WG_ERR_ARG;
  if (transpose_b)
    wg_pack_b_strided(b, K, N, 1, K, packed);
  else
    wg_pack_b_strided(b, K, N, N, 1, packed);
  return WG_OK;
}

/* y = act(op(a) @ op(b) + bias) over broadcast batch dims; see wg_matmul_params. */
WG_EXPORT int wg_MatMul(const float* a, const float* b, const float* bias, float* y, const wg_matmul_params* p) {
  const int M = p->M, N = p->N, K = p->K, br = p->batch_rank;
  if (M < 0 || N < 0 || K < 0 || br < 0 || br > 4 || p->activation < 0 || p->activation > WG_ACT_GELU)
    return WG_ERR_ARG;
  if (p->b_packed && p->transpose_b) return WG_ERR_ARG; /* packing already applied the transpose */
  const int b_size = p->b_packed ? (int)wg_packed_b_floats(K, N) : K * N;
  int sa[4], sb[4], batch = 1, ca = M * K, cb = b_size, a_full = 1, b_const = 1;
  for (int d = br - 1; d >= 0; d--) {
    const int o = p->batch_shape[d], da = p->a_batch_shape[d], db = p->b_batch_shape[d];
    if (o < 0 || (da != o && da != 1) || (db != o && db != 1)) return WG_ERR_ARG;
    sa[d] = da == 1 ? 0 : ca;
    sb[d] = db == 1 ? 0 : cb;
    ca *= da;
    cb *= db;
    batch *= o;
    if (da != o) a_full = 0;
    if (db != 1) b_const = 0;
  }
  if (batch == 0 || M == 0 || N == 0) return WG_OK;
  const uint32_t mark = wg_mark();
  wg_gemm_args g = {0};
  g.M = M;
  g.N = N;
  g.K = K;
  g.ldc = N;
  g.bias = bias;
  g.act = p->activation;
  g.alpha = p->alpha;
  g.pack_a = wg_pack_a_strided;
  wg_strided_a sa_ctx = {a, p->transpose_a ? 1 : K, p->transpose_a ? M : 1};
  g.a_ctx = &sa_ctx;
  if (b_const && a_full && !p->transpose_a) { /* one GEMM with the batch folded into the rows */
    g.M = M * batch;
    batch = 1;
  }
  int rc = WG_OK;
  if (p->b_packed) {
    g.b_ldb = WG_NR;
    g.b_panel_stride = WG_NR * K;
  } else if (b_const) {
    rc = wg_gemm_set_b(&g, b, p->transpose_b ? K : N, p->transpose_b);
  }
  int idx[4] = {0, 0, 0, 0}, oa = 0, ob = 0;
  for (int t = 0; t < batch && rc == WG_OK; t++) {
    sa_ctx.a = a + oa;
    g.a_row = g.M == 1 ? a + oa : 0; /* one row of A (or of A^T, [K, 1]) is contiguous */
    g.c = y + (size_t)t * M * N;
    if (p->b_packed) {
      g.b = b + ob;
      rc = wg_gemm(&g);
    } else if (b_const) {
      rc = wg_gemm(&g);
    } else { /* a different B per batch: pack (or edge-pack) each one */
      const uint32_t bmark = wg_mark();
      rc = wg_gemm_set_b(&g, b + ob, p->transpose_b ? K : N, p->transpose_b);
      if (rc == WG_OK) rc = wg_gemm(&g);
      wg_reset(bmark);
    }
    for (int d = br - 1; d >= 0; d--) {
      oa += sa[d];
      ob += sb[d];
      if (++idx[d] < p->batch_shape[d]) break;
      oa -= sa[d] * p->batch_shape[d];
      ob -= sb[d] * p->batch_shape[d];
      idx[d] = 0;
    }
  }
  wg_reset(mark);
  return rc;
}

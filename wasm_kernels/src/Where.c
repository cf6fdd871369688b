/* Where: out = x where cond != 0 else y, numpy broadcasting of all three, selected as bits (never
 * computed: an Inf or NaN in the branch not taken never reaches out; a NaN cond is != 0). Two passes
 * over out, which never overlaps an input (the memory planner allocates a step's output before it
 * frees its inputs): y broadcast into out (strided.h), then the binary walk of cond and x
 * (broadcast.c) overwriting the selected elements. */
#include "_elementwise.h"
#include "strided.h"

static void run_select(const float* c, int sc, const float* x, int sx, float* out, int n) {
  const uint32_t* xb = (const uint32_t*)x;
  uint32_t* ob = (uint32_t*)out;
  for (int i = 0; i < n; i++)
    if (c[(size_t)i * sc] != 0.0f) ob[i] = xb[(size_t)i * sx];
}

WG_EXPORT int wg_Where(const float* cond, const float* x, const float* y, float* out, const wg_where_params* p) {
  const int rank = p->rank;
  if (rank < 0 || rank > WG_MAX_RANK) return WG_ERR_ARG;
  int ys[WG_MAX_RANK]; /* y's strides over out's shape, 0 along a broadcast dim */
  for (int d = rank - 1, s = 1; d >= 0; d--) {
    const int o = p->out_shape[d], dy = p->y_shape[d];
    if (o < 0 || (dy != o && dy != 1)) return WG_ERR_ARG;
    ys[d] = dy == 1 ? 0 : s;
    s *= dy;
  }
  wg_broadcast_params bp = {.rank = rank};
  for (int d = 0; d < WG_MAX_RANK; d++) {
    bp.out_shape[d] = p->out_shape[d];
    bp.a_shape[d] = p->cond_shape[d];
    bp.b_shape[d] = p->x_shape[d];
  }
  strided_copy((const uint32_t*)y, (uint32_t*)out, rank, p->out_shape, ys);
  return wg_broadcast(cond, x, out, &bp, run_select);
}

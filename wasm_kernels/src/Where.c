/* Where: out = x where cond != 0 else y, numpy broadcasting of all three, selected as bits (never
 * computed: an Inf or NaN in the branch not taken never reaches out; a NaN cond is != 0). Two passes
 * of the binary walk (broadcast.c) over out, which never overlaps an input (the memory planner
 * allocates a step's output before it frees its inputs): y broadcast into out, then cond and x
 * overwriting the selected elements. */
#include "_elementwise.h"

static void run_copy(const float* a, int sa, const float* b, int sb, float* out, int n) {
  (void)b, (void)sb;
  const uint32_t* ab = (const uint32_t*)a;
  uint32_t* ob = (uint32_t*)out;
  for (int i = 0; i < n; i++) ob[i] = ab[(size_t)i * sa];
}

static void run_select(const float* c, int sc, const float* x, int sx, float* out, int n) {
  const uint32_t* xb = (const uint32_t*)x;
  uint32_t* ob = (uint32_t*)out;
  for (int i = 0; i < n; i++)
    if (c[(size_t)i * sc] != 0.0f) ob[i] = xb[(size_t)i * sx];
}

WG_EXPORT int wg_Where(const float* cond, const float* x, const float* y, float* out, const wg_where_params* p) {
  const int rank = p->rank;
  if (rank < 0 || rank > WG_MAX_RANK) return WG_ERR_ARG;
  wg_broadcast_params by = {.rank = rank}, bx = {.rank = rank};
  for (int d = 0; d < WG_MAX_RANK; d++) {
    by.out_shape[d] = bx.out_shape[d] = p->out_shape[d];
    by.a_shape[d] = by.b_shape[d] = p->y_shape[d];
    bx.a_shape[d] = p->cond_shape[d];
    bx.b_shape[d] = p->x_shape[d];
  }
  const int err = wg_broadcast(y, y, out, &by, run_copy);
  return err != WG_OK ? err : wg_broadcast(cond, x, out, &bx, run_select);
}

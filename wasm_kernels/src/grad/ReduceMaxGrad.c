/* ReduceMaxGrad: dx = hit * (g / count), hit = (x == y), count = hits per reduced element: the
 * gradient is split evenly among ties, exactly as the numpy VJP writes it (a NaN max has no hit, so
 * its count is 0 and its gradient NaN). p describes x's shape and the reduced axes; g and y have the
 * reduced shape (keepdims does not change the data). Scratch: one float per reduced element. */
#include "_walk.h"

WG_EXPORT int wg_ReduceMaxGrad(const float* g, const float* x, const float* y, float* dx, const wg_reduce_params* p) {
  wg_walk w;
  const int rc = walk_init(&w, p);
  if (rc) return rc < 0 ? rc : WG_OK;
  const int n = w.n, inner_red = w.inner_red, outs = w.count / w.red_count;
  const uint32_t mark = wg_mark();
  float* share = wg_alloc((uint32_t)outs * sizeof(float));
  if (!share) return WG_ERR_OOM;
  for (int i = 0; i < outs; i++) share[i] = 0.0f;
  WG_WALK(w, {
    for (int i = 0; i < n; i++) share[oy + (inner_red ? 0 : i)] += (float)(x[ox + i] == y[oy + (inner_red ? 0 : i)]);
  });
  for (int i = 0; i < outs; i++) share[i] = g[i] / share[i];
  WG_WALK(w, {
    for (int i = 0; i < n; i++) {
      const size_t j = oy + (inner_red ? 0 : i);
      dx[ox + i] = (float)(x[ox + i] == y[j]) * share[j];
    }
  });
  wg_reset(mark);
  return WG_OK;
}

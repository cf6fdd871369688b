/* BroadcastLike: the inverse of ReduceSum/ReduceMean(like, axes): g (the reduced shape) spread back to
 * like's shape, each value divided by `divisor` (the reduced count for the mean, 1 for the sum: a
 * division, as the numpy reference does). p describes like's shape and the reduced axes. */
#include "_walk.h"

WG_EXPORT int wg_BroadcastLike(const float* g, float* y, const wg_reduce_params* p, float divisor) {
  wg_walk w;
  const int rc = walk_init(&w, p);
  if (rc) return rc < 0 ? rc : WG_OK;
  const int n = w.n;
  const v128_t dv = wasm_f32x4_splat(divisor);
  if (w.inner_red) {
    WG_WALK(w, {
      const float v = g[oy] / divisor;
      const v128_t vv = wasm_f32x4_splat(v);
      float* yr = y + ox;
      int i = 0;
      for (; i + 4 <= n; i += 4) wasm_v128_store(yr + i, vv);
      for (; i < n; i++) yr[i] = v;
    });
  } else {
    WG_WALK(w, {
      const float* gr = g + oy;
      float* yr = y + ox;
      int i = 0;
      for (; i + 4 <= n; i += 4) wasm_v128_store(yr + i, wasm_f32x4_div(wasm_v128_load(gr + i), dv));
      for (; i < n; i++) yr[i] = gr[i] / divisor;
    });
  }
  return WG_OK;
}

#ifndef WG_REDUCE_H
#define WG_REDUCE_H
/* The reduction walk shared by ReduceSum.c, ReduceMean.c and ReduceMax.c (inlined into each, kind
 * constant): over the axes in axes_mask (keepdims does not change the data).
 * Size-1 axes are dropped and neighbouring axes of the same kind merged, so the walk is a few
 * nested runs: a reduced innermost run is summed (or maxed) in vectors, a kept one accumulates
 * into the output row in vectors. ReduceMax propagates NaN. */
#include "wg.h"

enum { R_SUM, R_MEAN, R_MAX };

WG_INLINE float row_sum(const float* x, int n) {
  v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0;
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    a0 = wasm_f32x4_add(a0, wasm_v128_load(x + i));
    a1 = wasm_f32x4_add(a1, wasm_v128_load(x + i + 4));
  }
  float s = wg_hsum(wasm_f32x4_add(a0, a1));
  for (; i < n; i++) s += x[i];
  return s;
}

WG_INLINE float row_max(const float* x, int n) {
  v128_t a = wasm_f32x4_splat(-__builtin_inff());
  int i = 0;
  for (; i + 4 <= n; i += 4) a = wasm_f32x4_max(a, wasm_v128_load(x + i));
  float m = wg_hmax(a);
  for (; i < n; i++) m = wg_fmax_nan(m, x[i]);
  return m;
}

WG_INLINE int reduce(const float* x, float* y, const wg_reduce_params* p, const int kind) {
  const int rank = p->rank;
  if (rank < 0 || rank > WG_MAX_RANK) return WG_ERR_ARG;
  int dims[WG_MAX_RANK], red[WG_MAX_RANK], m = 0, out_count = 1, red_count = 1, empty = 0;
  for (int d = 0; d < rank; d++) {
    const int n = p->shape[d], r = (p->axes_mask >> d) & 1;
    if (n < 0) return WG_ERR_ARG;
    if (r) red_count *= n; else out_count *= n;
    if (n == 0) empty = 1;
    if (n == 1) continue;
    if (m > 0 && red[m - 1] == r) {
      dims[m - 1] *= n;
    } else {
      dims[m] = n;
      red[m] = r;
      m++;
    }
  }
  const float init = kind == R_MAX ? -__builtin_inff() : 0.0f;
  for (int i = 0; i < out_count; i++) y[i] = init;
  if (empty) {
    if (kind == R_MEAN)
      for (int i = 0; i < out_count; i++) y[i] = __builtin_nanf("");
    return WG_OK;
  }
  if (m == 0) {
    y[0] = x[0];
    return WG_OK;
  }
  int xs[WG_MAX_RANK], ys[WG_MAX_RANK]; /* input and output strides of the merged dims */
  for (int d = m - 1, sx = 1, sy = 1; d >= 0; d--) {
    xs[d] = sx;
    ys[d] = red[d] ? 0 : sy;
    sx *= dims[d];
    if (!red[d]) sy *= dims[d];
  }
  const int n = dims[m - 1], inner_red = red[m - 1];
  int idx[WG_MAX_RANK] = {0};
  size_t ox = 0, oy = 0;
  for (;;) {
    const float* xr = x + ox;
    float* yr = y + oy;
    if (inner_red) {
      *yr = kind == R_MAX ? wg_fmax_nan(*yr, row_max(xr, n)) : *yr + row_sum(xr, n);
    } else {
      int i = 0;
      for (; i + 4 <= n; i += 4) {
        const v128_t a = wasm_v128_load(yr + i), b = wasm_v128_load(xr + i);
        wasm_v128_store(yr + i, kind == R_MAX ? wasm_f32x4_max(a, b) : wasm_f32x4_add(a, b));
      }
      for (; i < n; i++) yr[i] = kind == R_MAX ? wg_fmax_nan(yr[i], xr[i]) : yr[i] + xr[i];
    }
    int d = m - 2;
    for (; d >= 0; d--) {
      ox += xs[d];
      oy += ys[d];
      if (++idx[d] < dims[d]) break;
      ox -= (size_t)xs[d] * dims[d];
      oy -= (size_t)ys[d] * dims[d];
      idx[d] = 0;
    }
    if (d < 0) break;
  }
  if (kind == R_MEAN)
    for (int i = 0; i < out_count; i++) y[i] /= (float)red_count;
  return WG_OK;
}

#endif

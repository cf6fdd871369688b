#ifndef WG_SOFTMAX_H
#define WG_SOFTMAX_H
/* The softmax pass shared by Softmax.c and LogSoftmax.c (inlined into each, log constant): along one axis
 * of x viewed as [outer, n, inner] (n = the axis length):
 * max-subtract, vectorized exp, one sum. A NaN or +Inf in a row makes the whole row NaN (the max is
 * NaN-propagating and Inf - Inf is NaN). In place (y == x) is allowed.
 */
#include "simd_math.h"

/* Loads lanes [0, m) of a 4-lane run with stride s, the rest filled with `fill`. */
WG_INLINE v128_t load_part(const float* p, int s, int m, float fill) {
  float t[4] = {fill, fill, fill, fill};
  for (int j = 0; j < m; j++) t[j] = p[j * s];
  return wasm_v128_load(t);
}

WG_INLINE void store_part(float* p, int s, int m, v128_t v) {
  float t[4];
  wasm_v128_store(t, v);
  for (int j = 0; j < m; j++) p[j * s] = t[j];
}

/* One contiguous row of n (inner == 1). */
WG_INLINE void row(const float* x, float* y, int n, const int log) {
  const float ninf = -__builtin_inff();
  v128_t vm = wasm_f32x4_splat(ninf);
  int i = 0;
  for (; i + 4 <= n; i += 4) vm = wasm_f32x4_max(vm, wasm_v128_load(x + i));
  if (i < n) vm = wasm_f32x4_max(vm, load_part(x + i, 1, n - i, ninf));
  const v128_t m = wasm_f32x4_splat(wg_hmax(vm));
  v128_t s = wasm_f32x4_splat(0.0f);
  for (i = 0; i < n; i += 4) { /* full and ragged vectors share one copy of exp */
    const int full = n - i >= 4;
    const v128_t e = v_exp(wasm_f32x4_sub(full ? wasm_v128_load(x + i) : load_part(x + i, 1, n - i, ninf), m));
    if (!log) {
      if (full) wasm_v128_store(y + i, e);
      else store_part(y + i, 1, n - i, e);
    }
    s = wasm_f32x4_add(s, e); /* the padding lanes are exp(-inf - m) = 0 */
  }
  const v128_t sum = wasm_f32x4_splat(wg_hsum(s));
  if (!log) {
    for (i = 0; i + 4 <= n; i += 4) wasm_v128_store(y + i, wasm_f32x4_div(wasm_v128_load(y + i), sum));
    for (; i < n; i++) y[i] = y[i] / wasm_f32x4_extract_lane(sum, 0);
  } else {
    const v128_t ls = v_log(sum);
    for (i = 0; i + 4 <= n; i += 4)
      wasm_v128_store(y + i, wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(x + i), m), ls));
    for (; i < n; i++) y[i] = (x[i] - wasm_f32x4_extract_lane(m, 0)) - wasm_f32x4_extract_lane(ls, 0);
  }
}

/* Up to 4 neighbouring columns (stride inner) of n each, one per lane. */
WG_INLINE void columns(const float* x, float* y, int n, int inner, int m, const int log) {
  const float ninf = -__builtin_inff();
  v128_t vm = wasm_f32x4_splat(ninf);
  for (int i = 0; i < n; i++)
    vm = wasm_f32x4_max(vm, m == 4 ? wasm_v128_load(x + (size_t)i * inner) : load_part(x + (size_t)i * inner, 1, m, ninf));
  v128_t s = wasm_f32x4_splat(0.0f);
  for (int i = 0; i < n; i++) {
    const v128_t xv = m == 4 ? wasm_v128_load(x + (size_t)i * inner) : load_part(x + (size_t)i * inner, 1, m, 0.0f);
    const v128_t e = v_exp(wasm_f32x4_sub(xv, vm));
    if (!log) {
      if (m == 4) wasm_v128_store(y + (size_t)i * inner, e);
      else store_part(y + (size_t)i * inner, 1, m, e);
    }
    s = wasm_f32x4_add(s, e);
  }
  const v128_t ls = v_log(s);
  for (int i = 0; i < n; i++) {
    v128_t r;
    if (!log) {
      r = wasm_f32x4_div(m == 4 ? wasm_v128_load(y + (size_t)i * inner) : load_part(y + (size_t)i * inner, 1, m, 0.0f), s);
    } else {
      const v128_t xv = m == 4 ? wasm_v128_load(x + (size_t)i * inner) : load_part(x + (size_t)i * inner, 1, m, 0.0f);
      r = wasm_f32x4_sub(wasm_f32x4_sub(xv, vm), ls);
    }
    if (m == 4) wasm_v128_store(y + (size_t)i * inner, r);
    else store_part(y + (size_t)i * inner, 1, m, r);
  }
}

WG_INLINE int softmax(const float* x, float* y, int outer, int n, int inner, const int log) {
  if (outer < 0 || n < 0 || inner < 0) return WG_ERR_ARG;
  for (int o = 0; o < outer; o++) {
    const size_t off = (size_t)o * n * inner;
    if (inner == 1) {
      row(x + off, y + off, n, log);
    } else {
      for (int j = 0; j < inner; j += 4)
        columns(x + off + j, y + off + j, n, inner, inner - j < 4 ? inner - j : 4, log);
    }
  }
  return WG_OK;
}

#endif

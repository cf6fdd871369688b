/* Strided moves of 4-byte elements (float32 or int32, moved as bits). strided_copy, behind Transpose
 * and Slice: y contiguous with `shape`, y[i0, i1, ...] = x[sum(i_d * strides[d])]. strided_scatter,
 * behind Pad and SliceGrad, the converse: x contiguous, y[sum(i_d * strides[d])] = x[i0, i1, ...]
 * (the rest of y untouched). */
#ifndef WG_STRIDED_H
#define WG_STRIDED_H

#include "wg.h"

/* The walk with unit dims dropped and runs merged: its rank m, or -1 when `shape` holds no element.
 * m == 0 is one element. */
WG_INLINE int strided_collapse(int rank, const int* shape, const int* strides, int* dims, int* st) {
  int m = 0;
  for (int d = 0; d < rank; d++) {
    if (shape[d] == 0) return -1;
    if (shape[d] == 1) continue;
    if (m > 0 && st[m - 1] == strides[d] * shape[d]) { /* still one run: merge */
      dims[m - 1] *= shape[d];
      st[m - 1] = strides[d];
    } else {
      dims[m] = shape[d];
      st[m] = strides[d];
      m++;
    }
  }
  return m;
}

/* Steps the outer indices of a collapsed walk (all but the innermost); 0 when the walk is done. */
WG_INLINE int strided_next(int m, const int* dims, const int* st, int* idx, size_t* off) {
  for (int d = m - 2; d >= 0; d--) {
    *off += st[d];
    if (++idx[d] < dims[d]) return 1;
    *off -= (size_t)st[d] * dims[d];
    idx[d] = 0;
  }
  return 0;
}

WG_INLINE void strided_copy(const uint32_t* x, uint32_t* y, int rank, const int* shape, const int* strides) {
  int dims[WG_MAX_RANK], st[WG_MAX_RANK], idx[WG_MAX_RANK] = {0};
  const int m = strided_collapse(rank, shape, strides, dims, st);
  if (m < 0) return;
  if (m == 0) {
    *y = *x;
    return;
  }
  const int n = dims[m - 1], s = st[m - 1];
  size_t off = 0;
  do {
    const uint32_t* src = x + off;
    if (s == 1) {
      __builtin_memcpy(y, src, (size_t)n * 4);
    } else {
      int j = 0;
      for (; j + 4 <= n; j += 4) { /* gather 4, store one vector */
        const v128_t v = wasm_i32x4_make((int32_t)src[0], (int32_t)src[s], (int32_t)src[2 * s], (int32_t)src[3 * s]);
        wasm_v128_store(y + j, v);
        src += 4 * (size_t)s;
      }
      for (; j < n; j++, src += s) y[j] = *src;
    }
    y += n;
  } while (strided_next(m, dims, st, idx, &off));
}

WG_INLINE void strided_scatter(const uint32_t* x, uint32_t* y, int rank, const int* shape, const int* strides) {
  int dims[WG_MAX_RANK], st[WG_MAX_RANK], idx[WG_MAX_RANK] = {0};
  const int m = strided_collapse(rank, shape, strides, dims, st);
  if (m < 0) return;
  if (m == 0) {
    *y = *x;
    return;
  }
  const int n = dims[m - 1], s = st[m - 1];
  size_t off = 0;
  do {
    uint32_t* dst = y + off;
    if (s == 1)
      __builtin_memcpy(dst, x, (size_t)n * 4);
    else
      for (int j = 0; j < n; j++, dst += s) *dst = x[j];
    x += n;
  } while (strided_next(m, dims, st, idx, &off));
}

#endif

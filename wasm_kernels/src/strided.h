/* Strided copy of 4-byte elements (float32 or int32, moved as bits): the data movement behind
 * Transpose and Slice. y is contiguous with `shape`; y[i0, i1, ...] = x[sum(i_d * strides[d])]. */
#ifndef WG_STRIDED_H
#define WG_STRIDED_H

#include "wg.h"

WG_INLINE void strided_copy(const uint32_t* x, uint32_t* y, int rank, const int* shape, const int* strides) {
  int dims[WG_MAX_RANK], st[WG_MAX_RANK], m = 0;
  for (int d = 0; d < rank; d++) {
    if (shape[d] == 0) return;
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
  if (m == 0) {
    *y = *x;
    return;
  }
  const int n = dims[m - 1], s = st[m - 1];
  int idx[WG_MAX_RANK] = {0};
  size_t off = 0;
  for (;;) {
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
    int d = m - 2;
    for (; d >= 0; d--) {
      off += st[d];
      if (++idx[d] < dims[d]) break;
      off -= (size_t)st[d] * dims[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

#endif

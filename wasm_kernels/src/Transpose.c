/* Transpose: y.shape[i] = x.shape[perm[i]] for rank <= 6; 4-byte elements (float32, int32). */
#include "strided.h"

WG_EXPORT int wg_Transpose(const void* x, void* y, const wg_transpose_params* p) {
  const int rank = p->rank;
  if (rank < 0 || rank > WG_MAX_RANK) return WG_ERR_ARG;
  int in_stride[WG_MAX_RANK], shape[WG_MAX_RANK], strides[WG_MAX_RANK], seen = 0;
  for (int d = rank - 1, s = 1; d >= 0; d--) {
    if (p->shape[d] < 0) return WG_ERR_ARG;
    in_stride[d] = s;
    s *= p->shape[d];
  }
  for (int i = 0; i < rank; i++) {
    const int a = p->perm[i];
    if (a < 0 || a >= rank || (seen >> a & 1)) return WG_ERR_ARG;
    seen |= 1 << a;
    shape[i] = p->shape[a];
    strides[i] = in_stride[a];
  }
  strided_copy((const uint32_t*)x, (uint32_t*)y, rank, shape, strides);
  return WG_OK;
}

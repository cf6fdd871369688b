/* Slice: y = x[starts:...:steps] per axis, with the starts, steps and output shape already resolved
 * by the caller (numpy clamping, negative indices, empty 'axes'/'steps' defaults): every axis is listed,
 * an unsliced one as start 0, step 1, out = in. 4-byte elements (float32, int32). */
#include "strided.h"

WG_EXPORT int wg_Slice(const void* x, void* y, const wg_slice_params* p) {
  const int rank = p->rank;
  if (rank < 0 || rank > WG_MAX_RANK) return WG_ERR_ARG;
  int strides[WG_MAX_RANK];
  size_t base = 0;
  for (int d = rank - 1, s = 1; d >= 0; d--) {
    const int n = p->in_shape[d], o = p->out_shape[d], start = p->starts[d], step = p->steps[d];
    if (n < 0 || o < 0 || step < 1 || start < 0 || (o > 0 && start + (int64_t)(o - 1) * step >= n)) return WG_ERR_ARG;
    strides[d] = s * step;
    base += (size_t)start * s;
    s *= n;
  }
  for (int d = 0; d < rank; d++)
    if (p->out_shape[d] == 0) return WG_OK;
  strided_copy((const uint32_t*)x + base, (uint32_t*)y, rank, p->out_shape, strides);
  return WG_OK;
}

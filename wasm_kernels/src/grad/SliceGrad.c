/* SliceGrad: zeros of x's shape with g placed where Slice read (the same resolved params struct as
 * wg_Slice: in_shape is x's, out_shape g's). */
#include "../strided.h"

WG_EXPORT int wg_SliceGrad(const float* g, float* dx, const wg_slice_params* p) {
  const int rank = p->rank;
  if (rank < 0 || rank > WG_MAX_RANK) return WG_ERR_ARG;
  int strides[WG_MAX_RANK], count = 1;
  size_t base = 0;
  for (int d = rank - 1, s = 1; d >= 0; d--) {
    const int n = p->in_shape[d], o = p->out_shape[d], start = p->starts[d], step = p->steps[d];
    if (n < 0 || o < 0 || step < 1 || start < 0 || (o > 0 && start + (int64_t)(o - 1) * step >= n)) return WG_ERR_ARG;
    strides[d] = s * step;
    base += (size_t)start * s;
    s *= n;
    count *= n;
  }
  __builtin_memset(dx, 0, (size_t)count * 4);
  strided_scatter((const uint32_t*)g, (uint32_t*)dx + base, rank, p->out_shape, strides);
  return WG_OK;
}

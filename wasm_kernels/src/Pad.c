/* Pad: y filled with the value's 4 bytes (float32 bits, or an int32), then x placed at offset `starts`
 * (the pads before each axis). The slice params struct as SliceGrad's: in_shape is y's (the padded
 * shape), out_shape x's, starts the pads before, steps 1. 4-byte elements (float32, int32). */
#include "strided.h"

WG_EXPORT int wg_Pad(const void* x, void* y, const wg_slice_params* p, uint32_t value_bits) {
  const int rank = p->rank;
  if (rank < 0 || rank > WG_MAX_RANK) return WG_ERR_ARG;
  int strides[WG_MAX_RANK];
  size_t base = 0, count = 1;
  for (int d = rank - 1, s = 1; d >= 0; d--) {
    const int n = p->in_shape[d], o = p->out_shape[d], start = p->starts[d];
    if (n < 0 || o < 0 || p->steps[d] != 1 || start < 0 || start + (int64_t)o > n) return WG_ERR_ARG;
    strides[d] = s;
    base += (size_t)start * s;
    s *= n;
    count *= (size_t)n;
  }
  uint32_t* out = (uint32_t*)y;
  const v128_t v = wasm_i32x4_splat((int32_t)value_bits);
  size_t i = 0;
  for (; i + 4 <= count; i += 4) wasm_v128_store(out + i, v);
  for (; i < count; i++) out[i] = value_bits;
  strided_scatter((const uint32_t*)x, out + base, rank, p->out_shape, strides);
  return WG_OK;
}

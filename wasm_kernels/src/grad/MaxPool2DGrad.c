/* MaxPool2DGrad: each window's g goes to the first maximum of the window in row-major window order
 * (padding never wins; the max is recomputed from x, NaN-propagating as the forward op, so a window
 * with a NaN routes its g nowhere: NaN == NaN is false, as in the numpy VJP); overlapping windows
 * add. Every tap of a window gets g * (0 or 1) as in the numpy VJP (an infinite g makes NaN at the
 * misses there too). Vectorized over 4 channels. g [N, OH, OW, C], x and dx [N, H, W, C]. */
#include "_pool_grad.h"

WG_EXPORT int wg_MaxPool2DGrad(const float* g, const float* x, float* dx, const wg_pool2d_params* p) {
  if (pool_grad_check(p)) return WG_ERR_ARG;
  const int H = p->H, W = p->W, C = p->C;
  __builtin_memset(dx, 0, (size_t)p->N * H * W * C * 4);
  for (int n = 0; n < p->N; n++)
    for (int oh = 0; oh < p->OH; oh++) {
      const int ih0 = oh * p->stride_h - p->pad_top;
      int kh0, kh1;
      pool_clip(ih0, p->KH, H, &kh0, &kh1);
      for (int ow = 0; ow < p->OW; ow++) {
        const int iw0 = ow * p->stride_w - p->pad_left;
        int kw0, kw1;
        pool_clip(iw0, p->KW, W, &kw0, &kw1);
        const float* gp = g + ((size_t)(n * p->OH + oh) * p->OW + ow) * C;
        const size_t base = (size_t)(n * H + ih0) * W + iw0;
        int c = 0;
        for (; c + 4 <= C; c += 4) { /* 4 channels at once: the max (NaN lanes or-ed in), then the first hit */
          v128_t acc = wasm_f32x4_splat(-__builtin_inff()), nan = wasm_i32x4_splat(0);
          for (int kh = kh0; kh < kh1; kh++)
            for (int kw = kw0; kw < kw1; kw++) {
              const v128_t v = wasm_v128_load(x + (base + (size_t)kh * W + kw) * C + c);
              acc = wasm_f32x4_pmax(acc, v);
              nan = wasm_v128_or(nan, wasm_f32x4_ne(v, v));
            }
          const v128_t m = wasm_v128_or(acc, nan), gv = wasm_v128_load(gp + c), one = wasm_f32x4_splat(1.0f);
          v128_t taken = wasm_i32x4_splat(0);
          for (int kh = kh0; kh < kh1; kh++)
            for (int kw = kw0; kw < kw1; kw++) {
              const size_t at = (base + (size_t)kh * W + kw) * C + c;
              const v128_t hit = wasm_v128_andnot(wasm_f32x4_eq(wasm_v128_load(x + at), m), taken);
              taken = wasm_v128_or(taken, hit);
              /* g * (0 or 1), as the numpy VJP: an infinite g times a miss is NaN there too */
              wasm_v128_store(dx + at, wasm_f32x4_add(wasm_v128_load(dx + at), wasm_f32x4_mul(gv, wasm_v128_and(hit, one))));
            }
        }
        for (; c < C; c++) {
          float m = -__builtin_inff();
          for (int kh = kh0; kh < kh1; kh++)
            for (int kw = kw0; kw < kw1; kw++) m = wg_fmax_nan(m, x[(base + (size_t)kh * W + kw) * C + c]);
          int taken = 0;
          for (int kh = kh0; kh < kh1; kh++)
            for (int kw = kw0; kw < kw1; kw++) {
              const size_t at = (base + (size_t)kh * W + kw) * C + c;
              const int hit = !taken && x[at] == m;
              taken |= hit;
              dx[at] += gp[c] * (float)hit;
            }
        }
      }
    }
  return WG_OK;
}

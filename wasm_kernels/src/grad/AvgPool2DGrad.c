/* AvgPool2DGrad: each window's g divided by its count of real (unpadded) pixels, added to every real
 * pixel of the window (the divisor of the forward op). g [N, OH, OW, C], dx [N, H, W, C]. */
#include "_pool_grad.h"

WG_EXPORT int wg_AvgPool2DGrad(const float* g, float* dx, const wg_pool2d_params* p) {
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
        const float count = (float)((kh1 - kh0) * (kw1 - kw0));
        const float* gp = g + ((size_t)(n * p->OH + oh) * p->OW + ow) * C;
        for (int kh = kh0; kh < kh1; kh++)
          for (int kw = kw0; kw < kw1; kw++) {
            float* d = dx + ((size_t)(n * H + ih0 + kh) * W + iw0 + kw) * C;
            int c = 0;
            for (; c + 4 <= C; c += 4)
              wasm_v128_store(d + c, wasm_f32x4_add(wasm_v128_load(d + c),
                                                    wasm_f32x4_div(wasm_v128_load(gp + c), wasm_f32x4_splat(count))));
            for (; c < C; c++) d[c] += gp[c] / count;
          }
      }
    }
  return WG_OK;
}

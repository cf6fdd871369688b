/* MaxPool2DGrad: each window's g goes to the first maximum of the window in row-major window order
 * (padding never wins; the max is recomputed from x, NaN-propagating as the forward op, so a window
 * with a NaN routes its g nowhere: NaN == NaN is false, as in the numpy VJP); overlapping windows
 * add. g [N, OH, OW, C], x and dx [N, H, W, C]. */
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
        for (int c = 0; c < C; c++) {
          float m = -__builtin_inff();
          for (int kh = kh0; kh < kh1; kh++)
            for (int kw = kw0; kw < kw1; kw++) m = wg_fmax_nan(m, x[(base + (size_t)kh * W + kw) * C + c]);
          for (int kh = kh0; kh < kh1; kh++)
            for (int kw = kw0; kw < kw1; kw++) {
              const size_t at = (base + (size_t)kh * W + kw) * C + c;
              if (x[at] == m) {
                dx[at] += gp[c];
                goto next;
              }
            }
        next:;
        }
      }
    }
  return WG_OK;
}

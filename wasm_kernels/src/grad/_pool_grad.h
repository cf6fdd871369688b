#ifndef WG_POOL_GRAD_H
#define WG_POOL_GRAD_H
/* The window walk of MaxPool2DGrad and AvgPool2DGrad (wg_pool2d_params as the forward pools):
 * windows clipped to the image, dx zeroed first, overlapping windows add. */
#include "../wg.h"

WG_INLINE int pool_grad_check(const wg_pool2d_params* p) {
  return p->N < 0 || p->H < 1 || p->W < 1 || p->C < 0 || p->OH < 0 || p->OW < 0 || p->KH < 1 || p->KW < 1 ||
         p->stride_h < 1 || p->stride_w < 1;
}

/* [lo, hi): the window taps of a window starting at i0 that fall inside [0, n). */
WG_INLINE void pool_clip(int i0, int k, int n, int* lo, int* hi) {
  *lo = i0 < 0 ? -i0 : 0;
  *hi = i0 + k > n ? n - i0 : k;
}

#endif

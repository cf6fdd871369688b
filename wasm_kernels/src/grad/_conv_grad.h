#ifndef WG_CONV_GRAD_H
#define WG_CONV_GRAD_H
/* Shared by Conv2DBackpropInput.c and Conv2DBackpropFilter.c: the params check (wg_conv2d_params as
 * Conv2D's, describing the forward conv: x [N,H,W,C], w [KH,KW,C/groups,O], g [N,OH,OW,O]; activation
 * and w_packed must be 0) and the GEMM chunk size. Both run dense and grouped convs as GEMMs on the
 * shared core (gemm_core.h) over chunks of output pixels, so scratch stays small (one chunk of
 * columns and the packed panels, from wg_alloc, reset before returning) however large the batch. */
#include "../gemm_core.h"

/* Conv2DBackpropInput's entry (grad/Conv2DBackpropInput.c), which Conv2DTranspose.c runs too: the
 * transposed convolution is this gradient for the cotangent x. */
int wg_Conv2DBackpropInput(const float* g, const float* w, float* dx, const wg_conv2d_params* p);

/* Floats of one chunk's column block: about an L2-sized share. */
#ifndef WG_GRAD_CHUNK_FLOATS
#define WG_GRAD_CHUNK_FLOATS (32 * 1024)
#endif

WG_INLINE int conv_grad_check(const wg_conv2d_params* p) {
  if (p->N < 0 || p->H < 1 || p->W < 1 || p->C < 1 || p->OH < 0 || p->OW < 0 || p->O < 1 || p->KH < 1 ||
      p->KW < 1 || p->stride_h < 1 || p->stride_w < 1 || p->dilation_h < 1 || p->dilation_w < 1 || p->groups < 1 ||
      p->C % p->groups || p->O % p->groups || p->activation != WG_ACT_NONE || p->w_packed)
    return WG_ERR_ARG;
  return WG_OK;
}

/* Pixels per chunk of the filter gradient (the GEMM's K): long enough that the tiles' loads and stores
 * vanish, short enough that the chunk's packed g stays in L2. */
#ifndef WG_GRAD_FILTER_PIXELS
#define WG_GRAD_FILTER_PIXELS 1024
#endif

/* Pixels per chunk for `cols` columns: a multiple of WG_MR, at least one panel. */
WG_INLINE int conv_grad_chunk(int cols, int pixels) {
  int pc = WG_GRAD_CHUNK_FLOATS / (cols > 0 ? cols : 1) / WG_MR * WG_MR;
  if (pc < WG_MR) pc = WG_MR;
  return pc < pixels ? pc : pixels;
}

#endif

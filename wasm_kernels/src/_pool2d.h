#ifndef WG_POOL2D_H
#define WG_POOL2D_H
/* The pooling loop shared by MaxPool2D.c and AvgPool2D.c (inlined into each, is_max constant): over NHWC x,
 * vectorized over channels. Windows are clipped to the image:
 * padded positions never win the max and are not counted in the mean (the divisor is the number of
 * real elements in the window). NaN in a window gives NaN.
 * The max is f32x4.pmax (one maxps on x64) with the NaN lanes or-ed in afterwards (all-ones is a NaN):
 * f32x4.max, whose NaN and signed-zero rules x64 has no instruction for, costs V8 about 8 instructions. */
#include "wg.h"

/* all-ones in the lanes of v that are NaN */
WG_INLINE v128_t nan_lanes(v128_t v) { return wasm_f32x4_ne(v, v); }

WG_INLINE void clip(int i0, int k, int n, int* lo, int* hi) {
  *lo = i0 < 0 ? -i0 : 0;
  *hi = i0 + k > n ? n - i0 : k;
}

WG_INLINE int pool(const float* x, float* y, const wg_pool2d_params* p, const int is_max) {
  const int H = p->H, W = p->W, C = p->C, cv = C & ~3;
  if (p->N < 0 || H < 1 || W < 1 || C < 0 || p->OH < 0 || p->OW < 0 || p->KH < 1 || p->KW < 1 || p->stride_h < 1 ||
      p->stride_w < 1)
    return WG_ERR_ARG;
  for (int n = 0; n < p->N; n++) {
    for (int oh = 0; oh < p->OH; oh++) {
      const int ih0 = oh * p->stride_h - p->pad_top;
      int kh0, kh1;
      clip(ih0, p->KH, H, &kh0, &kh1);
      for (int ow = 0; ow < p->OW; ow++) {
        const int iw0 = ow * p->stride_w - p->pad_left;
        int kw0, kw1;
        clip(iw0, p->KW, W, &kw0, &kw1);
        float* yp = y + ((size_t)(n * p->OH + oh) * p->OW + ow) * C;
        const float* base = x + ((size_t)(n * H + ih0 + kh0) * W + iw0 + kw0) * C; /* first real tap */
        const int rows = kh1 - kh0, cols = kw1 - kw0;
        const int count = rows * cols;
        int c = 0;
        if (rows == 2 && cols == 2) {
          /* the common 2x2 window, unrolled: a loop with a run-time trip count of 2 costs more than the max */
          const float *r0 = base, *r1 = base + (size_t)W * C;
          for (; c < cv; c += 4) {
            const v128_t a = wasm_v128_load(r0 + c), b = wasm_v128_load(r0 + C + c);
            const v128_t d = wasm_v128_load(r1 + c), e = wasm_v128_load(r1 + C + c);
            v128_t acc = is_max ? wasm_v128_or(wasm_f32x4_pmax(wasm_f32x4_pmax(a, b), wasm_f32x4_pmax(d, e)),
                                               wasm_v128_or(wasm_v128_or(nan_lanes(a), nan_lanes(b)),
                                                            wasm_v128_or(nan_lanes(d), nan_lanes(e))))
                                : wasm_f32x4_mul(wasm_f32x4_add(wasm_f32x4_add(a, b), wasm_f32x4_add(d, e)), wasm_f32x4_splat(0.25f));
            wasm_v128_store(yp + c, acc);
          }
        }
        for (; c < cv; c += 4) {
          v128_t acc = wasm_f32x4_splat(is_max ? -__builtin_inff() : 0.0f), nan = wasm_i32x4_splat(0);
          for (int kh = 0; kh < rows; kh++) {
            const float* row = base + (size_t)kh * W * C + c;
            for (int kw = 0; kw < cols; kw++) {
              const v128_t v = wasm_v128_load(row + (size_t)kw * C);
              if (is_max) {
                acc = wasm_f32x4_pmax(acc, v);
                nan = wasm_v128_or(nan, nan_lanes(v));
              } else {
                acc = wasm_f32x4_add(acc, v);
              }
            }
          }
          acc = is_max ? wasm_v128_or(acc, nan) : wasm_f32x4_div(acc, wasm_f32x4_splat((float)count));
          wasm_v128_store(yp + c, acc);
        }
        for (int c = cv; c < C; c++) {
          float acc = is_max ? -__builtin_inff() : 0.0f;
          for (int kh = 0; kh < rows; kh++)
            for (int kw = 0; kw < cols; kw++) {
              const float v = base[((size_t)kh * W + kw) * C + c];
              acc = is_max ? wg_fmax_nan(acc, v) : acc + v;
            }
          yp[c] = is_max ? acc : acc / (float)count;
        }
      }
    }
  }
  return WG_OK;
}

#endif

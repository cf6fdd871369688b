/* Conv2DBackpropInput: dx of z = conv(x, w) (no bias, no activation), x [N,H,W,C] from g [N,OH,OW,O].
 *
 * Dense and grouped convs: per group, the column gradient dcols[P, KH*KW*C/G] = g[P, O/G] @ w_g^T
 * on the GEMM core (A = g's rows read in place, B = the filter transposed, packed once per call), a
 * chunk of output pixels at a time, each chunk's columns added straight into dx (col2im: a tap of a
 * pixel is C/G contiguous floats). Depthwise (groups == C): direct, vectorized over channels. */
#include "_conv_grad.h"

static int dense(const float* g, const float* w, float* dx, const wg_conv2d_params* p) {
  const int G = p->groups, cg = p->C / G, og = p->O / G, KH = p->KH, KW = p->KW, Kg = KH * KW * cg;
  const int H = p->H, W = p->W, C = p->C, P = p->N * p->OH * p->OW, pc = conv_grad_chunk(Kg, P);
  for (int grp = 0; grp < G; grp++) {
    const uint32_t mark = wg_mark();
    wg_gemm_args a = {0};
    a.M = pc;
    a.N = Kg;
    a.K = og;
    a.ldc = Kg;
    wg_strided_a sa = {0, p->O, 1};
    a.pack_a = wg_pack_a_strided;
    a.a_ctx = &sa;
    float* cols = wg_alloc((uint32_t)pc * (uint32_t)Kg * sizeof(float));
    int rc = cols ? wg_gemm_set_b(&a, w + (size_t)grp * og, p->O, 1) : WG_ERR_OOM;
    a.c = cols;
    for (int p0 = 0; p0 < P && rc == WG_OK; p0 += pc) {
      const int rows = P - p0 < pc ? P - p0 : pc;
      a.M = rows;
      sa.a = g + (size_t)p0 * p->O + (size_t)grp * og;
      a.a_row = rows == 1 ? sa.a : 0;
      rc = wg_gemm(&a);
      int n = p0 / (p->OH * p->OW), rem = p0 - n * p->OH * p->OW, oh = rem / p->OW, ow = rem - oh * p->OW;
      for (int r = 0; r < rows && rc == WG_OK; r++) {
        const float* src = cols + (size_t)r * Kg;
        const int ih0 = oh * p->stride_h - p->pad_top, iw0 = ow * p->stride_w - p->pad_left;
        for (int kh = 0; kh < KH; kh++) {
          const int ih = ih0 + kh * p->dilation_h;
          if (ih < 0 || ih >= H) continue;
          for (int kw = 0; kw < KW; kw++) {
            const int iw = iw0 + kw * p->dilation_w;
            if (iw < 0 || iw >= W) continue;
            float* d = dx + ((size_t)(n * H + ih) * W + iw) * C + (size_t)grp * cg;
            const float* s = src + (size_t)(kh * KW + kw) * cg;
            int c = 0;
            for (; c + 4 <= cg; c += 4) wasm_v128_store(d + c, wasm_f32x4_add(wasm_v128_load(d + c), wasm_v128_load(s + c)));
            for (; c < cg; c++) d[c] += s[c];
          }
        }
        if (++ow == p->OW) {
          ow = 0;
          if (++oh == p->OH) oh = 0, n++;
        }
      }
    }
    wg_reset(mark);
    if (rc) return rc;
  }
  return WG_OK;
}

/* groups == C: output channel o = c * mult + m reads input channel c. */
static void depthwise(const float* g, const float* w, float* dx, const wg_conv2d_params* p) {
  const int H = p->H, W = p->W, C = p->C, O = p->O, mult = O / C;
  for (int n = 0; n < p->N; n++)
    for (int oh = 0; oh < p->OH; oh++)
      for (int ow = 0; ow < p->OW; ow++) {
        const float* gp = g + ((size_t)(n * p->OH + oh) * p->OW + ow) * O;
        const int ih0 = oh * p->stride_h - p->pad_top, iw0 = ow * p->stride_w - p->pad_left;
        for (int kh = 0; kh < p->KH; kh++) {
          const int ih = ih0 + kh * p->dilation_h;
          if (ih < 0 || ih >= H) continue;
          for (int kw = 0; kw < p->KW; kw++) {
            const int iw = iw0 + kw * p->dilation_w;
            if (iw < 0 || iw >= W) continue;
            float* d = dx + ((size_t)(n * H + ih) * W + iw) * C;
            const float* wt = w + (size_t)(kh * p->KW + kw) * O;
            int c = 0;
            if (mult == 1)
              for (; c + 4 <= C; c += 4)
                wasm_v128_store(d + c, wg_madd(wasm_v128_load(gp + c), wasm_v128_load(wt + c), wasm_v128_load(d + c)));
            for (; c < C; c++) {
              float s = 0.0f;
              for (int m = 0; m < mult; m++) s += gp[c * mult + m] * wt[c * mult + m];
              d[c] += s;
            }
          }
        }
      }
}

WG_EXPORT int wg_Conv2DBackpropInput(const float* g, const float* w, float* dx, const wg_conv2d_params* p) {
  if (conv_grad_check(p)) return WG_ERR_ARG;
  __builtin_memset(dx, 0, (size_t)p->N * p->H * p->W * p->C * 4);
  if (p->N == 0 || p->OH == 0 || p->OW == 0) return WG_OK;
  if (p->groups == p->C && p->C > 1) {
    depthwise(g, w, dx, p);
    return WG_OK;
  }
  return dense(g, w, dx, p);
}

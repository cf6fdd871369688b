/* Conv2DBackpropFilter: dw [KH,KW,C/G,O] of z = conv(x, w) (no bias, no activation) from x and g.
 *
 * Dense and grouped convs: per group, dw_g[KH*KW*C/G, O/G] = cols^T @ g on the GEMM core, summed over
 * chunks of output pixels (the GEMM's K): A's panels (rows = filter taps, k = pixels of the chunk)
 * are written straight from the image (a block of WG_MR taps of one kernel offset is WG_MR contiguous
 * channels of a pixel: one vector load), B is the chunk's rows of g; each chunk's product is added
 * into dw. Depthwise (groups == C): direct, vectorized over channels. */
#include "_conv_grad.h"

typedef struct {
  const float* x;
  const wg_conv2d_params* p;
  int c0, cg, p0; /* the group's input channels, the chunk's first pixel */
} cols_t_ctx;

/* Panels of cols^T: row = tap (kh, kw, c), column k = pixel p0 + k; zeros for padding. */
static void pack_a_cols_t(const void* ctx, int i0, int rows, int K, float* dst) {
  const cols_t_ctx* s = (const cols_t_ctx*)ctx;
  const wg_conv2d_params* p = s->p;
  const int H = p->H, W = p->W, C = p->C, cg = s->cg, KW = p->KW;
  for (int r0 = 0; r0 < rows; r0 += WG_MR, dst += (size_t)K * WG_MR) {
    const int mr = rows - r0 < WG_MR ? rows - r0 : WG_MR;
    int dh[WG_MR], dwv[WG_MR], ch[WG_MR];
    for (int r = 0; r < WG_MR; r++) {
      const int t = i0 + r0 + (r < mr ? r : 0);
      ch[r] = t % cg;
      dwv[r] = (t / cg % KW) * p->dilation_w;
      dh[r] = t / cg / KW * p->dilation_h;
    }
    /* one kernel offset, WG_MR consecutive channels: a contiguous run per pixel */
    const int run = mr == WG_MR && dh[0] == dh[WG_MR - 1] && dwv[0] == dwv[WG_MR - 1] && ch[WG_MR - 1] == ch[0] + WG_MR - 1;
    const int pix = p->OH * p->OW;
    int n = s->p0 / pix, rem = s->p0 - n * pix, oh = rem / p->OW, ow = rem - oh * p->OW;
    float* d = dst;
    for (int k = 0; k < K; k++, d += WG_MR) {
      const int ih0 = oh * p->stride_h - p->pad_top, iw0 = ow * p->stride_w - p->pad_left;
      const float* img = s->x + (size_t)n * H * W * C + s->c0;
      if (run) {
        const int ih = ih0 + dh[0], iw = iw0 + dwv[0];
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
          for (int r = 0; r < WG_MR; r++) d[r] = 0.0f;
        } else {
          const float* src = img + ((size_t)ih * W + iw) * C + ch[0];
          wasm_v128_store(d, wasm_v128_load(src));
          for (int r = 4; r < WG_MR; r++) d[r] = src[r];
        }
      } else {
        for (int r = 0; r < WG_MR; r++) {
          const int ih = ih0 + dh[r], iw = iw0 + dwv[r];
          d[r] = r >= mr || ih < 0 || ih >= H || iw < 0 || iw >= W ? 0.0f : img[((size_t)ih * W + iw) * C + ch[r]];
        }
      }
      if (++ow == p->OW) {
        ow = 0;
        if (++oh == p->OH) oh = 0, n++;
      }
    }
  }
}

static int dense(const float* x, const float* g, float* dw, const wg_conv2d_params* p) {
  const int G = p->groups, cg = p->C / G, og = p->O / G, Kg = p->KH * p->KW * cg, P = p->N * p->OH * p->OW;
  const int pc = P < WG_GRAD_FILTER_PIXELS ? P : WG_GRAD_FILTER_PIXELS;
  for (int grp = 0; grp < G; grp++) {
    const uint32_t mark = wg_mark();
    float* part = wg_alloc((uint32_t)Kg * (uint32_t)og * sizeof(float));
    if (!part) return WG_ERR_OOM;
    cols_t_ctx ctx = {x, p, grp * cg, cg, 0};
    int rc = WG_OK;
    for (int p0 = 0; p0 < P && rc == WG_OK; p0 += pc) {
      const uint32_t chunk_mark = wg_mark();
      wg_gemm_args a = {0};
      a.M = Kg;
      a.N = og;
      a.K = P - p0 < pc ? P - p0 : pc;
      a.pack_a = pack_a_cols_t;
      ctx.p0 = p0;
      a.a_ctx = &ctx;
      a.c = part;
      a.ldc = og;
      rc = wg_gemm_set_b(&a, g + (size_t)p0 * p->O + (size_t)grp * og, p->O, 0);
      if (rc == WG_OK) rc = wg_gemm(&a);
      wg_reset(chunk_mark);
      for (int t = 0; t < Kg && rc == WG_OK; t++) {
        float* d = dw + (size_t)t * p->O + (size_t)grp * og;
        const float* s = part + (size_t)t * og;
        int j = 0;
        for (; j + 4 <= og; j += 4) wasm_v128_store(d + j, wasm_f32x4_add(wasm_v128_load(d + j), wasm_v128_load(s + j)));
        for (; j < og; j++) d[j] += s[j];
      }
    }
    wg_reset(mark);
    if (rc) return rc;
  }
  return WG_OK;
}

/* groups == C: dw[kh, kw, 0, o] = sum over pixels of x[.., c] * g[.., o], c = o / mult. */
static void depthwise(const float* x, const float* g, float* dw, const wg_conv2d_params* p) {
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
            const float* xs = x + ((size_t)(n * H + ih) * W + iw) * C;
            float* d = dw + (size_t)(kh * p->KW + kw) * O;
            int o = 0;
            if (mult == 1)
              for (; o + 4 <= O; o += 4)
                wasm_v128_store(d + o, wg_madd(wasm_v128_load(xs + o), wasm_v128_load(gp + o), wasm_v128_load(d + o)));
            for (; o < O; o++) d[o] += xs[o / mult] * gp[o];
          }
        }
      }
}

WG_EXPORT int wg_Conv2DBackpropFilter(const float* x, const float* g, float* dw, const wg_conv2d_params* p) {
  if (conv_grad_check(p)) return WG_ERR_ARG;
  __builtin_memset(dw, 0, (size_t)p->KH * p->KW * (p->C / p->groups) * p->O * 4);
  if (p->N == 0 || p->OH == 0 || p->OW == 0) return WG_OK;
  if (p->groups == p->C && p->C > 1) {
    depthwise(x, g, dw, p);
    return WG_OK;
  }
  return dense(x, g, dw, p);
}

/* Conv2D: x NHWC, w HWIO [KH, KW, C/groups, O], y = act(conv(x, w) + bias).
 *
 * - groups == 1 and grouped convs run on the GEMM core (MatMul.c): each group is a GEMM with
 *   M = N*OH*OW output pixels, K = KH*KW*C/groups, N = O/groups. The A panels are written straight
 *   from the image (im2col into the packed [K][MR] layout, zeros for padding), one block of rows at a
 *   time, so no full column matrix is ever built; a 1x1 stride-1 unpadded conv packs x as it is.
 *   B is the filter, row-major [K, O] already: pre-packed by wg_pack_conv2d or packed per call.
 * - depthwise (groups == C > 1): direct, vectorized over channels; 3x3 dilation-1 windows that lie
 *   inside the image (any stride, any padding) take an unrolled 9-tap path, border windows the
 *   general one. Channel multipliers > 1 take a scalar path.
 */
#include "gemm_core.h"
#include "simd_math.h"

typedef struct {
  const float* x;
  const wg_conv2d_params* p;
  int c0, cg; /* the group's input channels */
} im2col_ctx;

/* Panels of the column matrix straight from the image: row = output pixel, column = (kh, kw, c).
 * With dilation 1 and one group, a kernel row's KW * C values are one run in memory, so each kh is one
 * wg_pack_rows call over MR pixels; border pixels go tap by tap (NULL rows are the zero padding). */
static void pack_a_im2col(const void* ctx, int i0, int rows, int K, float* dst) {
  const im2col_ctx* s = (const im2col_ctx*)ctx;
  const wg_conv2d_params* p = s->p;
  const int H = p->H, W = p->W, C = p->C, cg = s->cg, KW = p->KW, dh = p->dilation_h, dw = p->dilation_w;
  const int runs = dw == 1 && cg == C;
  int n = i0 / (p->OH * p->OW), rem = i0 - n * p->OH * p->OW, oh = rem / p->OW, ow = rem - oh * p->OW;
  for (int r0 = 0; r0 < rows; r0 += WG_MR, dst += (size_t)K * WG_MR) {
    const int mr = rows - r0 < WG_MR ? rows - r0 : WG_MR;
    int ih0[WG_MR], iw0[WG_MR], img[WG_MR], whole = 1;
    for (int r = 0; r < mr; r++) {
      ih0[r] = oh * p->stride_h - p->pad_top;
      iw0[r] = ow * p->stride_w - p->pad_left;
      img[r] = n * H;
      whole &= iw0[r] >= 0 && iw0[r] + (KW - 1) * dw < W;
      if (++ow == p->OW) {
        ow = 0;
        if (++oh == p->OH) oh = 0, n++;
      }
    }
    const float* src[WG_MR];
    float* d = dst;
    for (int kh = 0; kh < p->KH; kh++) {
      if (runs && whole) {
        for (int r = 0; r < mr; r++) {
          const int ih = ih0[r] + kh * dh;
          src[r] = ih < 0 || ih >= H ? 0 : s->x + ((size_t)(img[r] + ih) * W + iw0[r]) * C;
        }
        wg_pack_rows(src, mr, KW * C, d);
        d += (size_t)KW * C * WG_MR;
        continue;
      }
      for (int kw = 0; kw < KW; kw++, d += (size_t)cg * WG_MR) {
        for (int r = 0; r < mr; r++) {
          const int ih = ih0[r] + kh * dh, iw = iw0[r] + kw * dw;
          src[r] = ih < 0 || ih >= H || iw < 0 || iw >= W ? 0 : s->x + ((size_t)(img[r] + ih) * W + iw) * C + s->c0;
        }
        wg_pack_rows(src, mr, cg, d);
      }
    }
  }
}

static int conv_gemm(const float* x, const float* w, const float* bias, float* y, const wg_conv2d_params* p) {
  const int G = p->groups, cg = p->C / G, og = p->O / G, K = p->KH * p->KW * cg;
  const int M = p->N * p->OH * p->OW;
  const int pointwise = G == 1 && p->KH == 1 && p->KW == 1 && p->stride_h == 1 && p->stride_w == 1 &&
                        p->pad_top == 0 && p->pad_left == 0 && p->OH == p->H && p->OW == p->W;
  int rc = WG_OK;
  for (int g = 0; g < G && rc == WG_OK; g++) {
    const uint32_t mark = wg_mark();
    wg_gemm_args a = {0};
    a.M = M;
    a.N = og;
    a.K = K;
    a.c = y + (size_t)g * og;
    a.ldc = p->O;
    a.bias = bias ? bias + (size_t)g * og : 0;
    a.act = p->activation;
    a.alpha = p->alpha;
    im2col_ctx ic = {x, p, g * cg, cg};
    wg_strided_a sa = {x, p->C, 1};
    if (pointwise) {
      a.pack_a = wg_pack_a_strided;
      a.a_ctx = &sa;
    } else {
      a.pack_a = pack_a_im2col;
      a.a_ctx = &ic;
    }
    if (p->w_packed) {
      a.b = w + (size_t)g * wg_packed_b_floats(K, og);
      a.b_ldb = WG_NR;
      a.b_panel_stride = WG_NR * K;
    } else {
      rc = wg_gemm_set_b(&a, w + (size_t)g * og, p->O, 0);
    }
    if (rc == WG_OK) rc = wg_gemm(&a);
    wg_reset(mark);
  }
  return rc;
}

/* Kernel taps [lo, hi) whose input index i0 + t * d falls inside [0, n). */
WG_INLINE void tap_range(int i0, int d, int taps, int n, int* lo, int* hi) {
  *lo = i0 >= 0 ? 0 : (-i0 + d - 1) / d;
  const int h = i0 >= n ? 0 : (n - 1 - i0) / d + 1;
  *hi = h < taps ? h : taps;
}

static void depthwise(const float* x, const float* w, const float* bias, float* y, const wg_conv2d_params* p) {
  const int H = p->H, W = p->W, C = p->C, KH = p->KH, KW = p->KW, dh = p->dilation_h, dw = p->dilation_w;
  const int fast3 = KH == 3 && KW == 3 && dh == 1 && dw == 1;
  const int cv = C & ~3;
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int n = 0; n < p->N; n++) {
    for (int oh = 0; oh < p->OH; oh++) {
      float* yrow = y + (size_t)(n * p->OH + oh) * p->OW * C;
      const int ih0 = oh * p->stride_h - p->pad_top;
      int kh0, kh1;
      tap_range(ih0, dh, KH, H, &kh0, &kh1);
      for (int ow = 0; ow < p->OW; ow++) {
        float* yp = yrow + (size_t)ow * C;
        const int iw0 = ow * p->stride_w - p->pad_left;
        int kw0, kw1;
        tap_range(iw0, dw, KW, W, &kw0, &kw1);
        if (fast3 && kh0 == 0 && kh1 == 3 && kw0 == 0 && kw1 == 3) {
          const float* r0 = x + ((size_t)(n * H + ih0) * W + iw0) * C;
          const float* r1 = r0 + (size_t)W * C;
          const float* r2 = r1 + (size_t)W * C;
          const size_t C2 = 2 * (size_t)C;
          for (int c = 0; c < cv; c += 4) {
            v128_t acc = bias ? wasm_v128_load(bias + c) : zero;
            acc = wg_madd(wasm_v128_load(r0 + c), wasm_v128_load(w + c), acc);
            acc = wg_madd(wasm_v128_load(r0 + C + c), wasm_v128_load(w + C + c), acc);
            acc = wg_madd(wasm_v128_load(r0 + C2 + c), wasm_v128_load(w + C2 + c), acc);
            acc = wg_madd(wasm_v128_load(r1 + c), wasm_v128_load(w + 3 * C + c), acc);
            acc = wg_madd(wasm_v128_load(r1 + C + c), wasm_v128_load(w + 4 * C + c), acc);
            acc = wg_madd(wasm_v128_load(r1 + C2 + c), wasm_v128_load(w + 5 * C + c), acc);
            acc = wg_madd(wasm_v128_load(r2 + c), wasm_v128_load(w + 6 * C + c), acc);
            acc = wg_madd(wasm_v128_load(r2 + C + c), wasm_v128_load(w + 7 * C + c), acc);
            acc = wg_madd(wasm_v128_load(r2 + C2 + c), wasm_v128_load(w + 8 * C + c), acc);
            wasm_v128_store(yp + c, acc);
          }
          for (int c = cv; c < C; c++) {
            float s = bias ? bias[c] : 0.0f;
            for (int t = 0; t < 3; t++) s += r0[t * C + c] * w[t * C + c];
            for (int t = 0; t < 3; t++) s += r1[t * C + c] * w[(3 + t) * C + c];
            for (int t = 0; t < 3; t++) s += r2[t * C + c] * w[(6 + t) * C + c];
            yp[c] = s;
          }
          continue;
        }
        for (int c = 0; c < cv; c += 4) {
          v128_t acc = bias ? wasm_v128_load(bias + c) : zero;
          for (int kh = kh0; kh < kh1; kh++) {
            const float* xr = x + ((size_t)(n * H + ih0 + kh * dh) * W) * C + c;
            const float* wr = w + (size_t)kh * KW * C + c;
            for (int kw = kw0; kw < kw1; kw++)
              acc = wg_madd(wasm_v128_load(xr + (size_t)(iw0 + kw * dw) * C), wasm_v128_load(wr + (size_t)kw * C), acc);
          }
          wasm_v128_store(yp + c, acc);
        }
        for (int c = cv; c < C; c++) {
          float s = bias ? bias[c] : 0.0f;
          for (int kh = kh0; kh < kh1; kh++)
            for (int kw = kw0; kw < kw1; kw++)
              s += x[((size_t)(n * H + ih0 + kh * dh) * W + iw0 + kw * dw) * C + c] * w[(kh * KW + kw) * C + c];
          yp[c] = s;
        }
      }
      wg_act(yrow, p->OW * C, p->activation, p->alpha);
    }
  }
}

/* Depthwise with a channel multiplier: output channel o reads input channel o / mult. */
static void depthwise_mult(const float* x, const float* w, const float* bias, float* y, const wg_conv2d_params* p) {
  const int H = p->H, W = p->W, C = p->C, O = p->O, mult = O / C;
  for (int n = 0; n < p->N; n++) {
    for (int oh = 0; oh < p->OH; oh++) {
      float* yrow = y + (size_t)(n * p->OH + oh) * p->OW * O;
      const int ih0 = oh * p->stride_h - p->pad_top;
      int kh0, kh1;
      tap_range(ih0, p->dilation_h, p->KH, H, &kh0, &kh1);
      for (int ow = 0; ow < p->OW; ow++) {
        const int iw0 = ow * p->stride_w - p->pad_left;
        int kw0, kw1;
        tap_range(iw0, p->dilation_w, p->KW, W, &kw0, &kw1);
        for (int o = 0; o < O; o++) {
          float s = bias ? bias[o] : 0.0f;
          const int c = o / mult;
          for (int kh = kh0; kh < kh1; kh++)
            for (int kw = kw0; kw < kw1; kw++)
              s += x[((size_t)(n * H + ih0 + kh * p->dilation_h) * W + iw0 + kw * p->dilation_w) * C + c] *
                   w[(kh * p->KW + kw) * O + o];
          yrow[(size_t)ow * O + o] = s;
        }
      }
      wg_act(yrow, p->OW * O, p->activation, p->alpha);
    }
  }
}

static int check(const wg_conv2d_params* p) {
  if (p->N < 0 || p->H < 1 || p->W < 1 || p->C < 1 || p->OH < 0 || p->OW < 0 || p->O < 1 || p->KH < 1 ||
      p->KW < 1 || p->stride_h < 1 || p->stride_w < 1 || p->dilation_h < 1 || p->dilation_w < 1 || p->groups < 1 ||
      p->C % p->groups || p->O % p->groups || p->activation < 0 || p->activation > WG_ACT_GELU)
    return WG_ERR_ARG;
  return WG_OK;
}

WG_INLINE int is_depthwise(const wg_conv2d_params* p) { return p->groups == p->C && p->C > 1; }

WG_EXPORT int wg_Conv2D(const float* x, const float* w, const float* bias, float* y, const wg_conv2d_params* p) {
  if (check(p)) return WG_ERR_ARG;
  if (p->N == 0 || p->OH == 0 || p->OW == 0) return WG_OK;
  if (is_depthwise(p)) {
    if (p->w_packed) return WG_ERR_ARG;
    if (p->O == p->C)
      depthwise(x, w, bias, y, p);
    else
      depthwise_mult(x, w, bias, y, p);
    return WG_OK;
  }
  return conv_gemm(x, w, bias, y, p);
}

/* Floats wg_pack_conv2d writes (0 for depthwise convs, which read w as it is). */
WG_EXPORT uint32_t wg_conv2d_packed_size(const wg_conv2d_params* p) {
  if (check(p) || is_depthwise(p)) return 0;
  const int G = p->groups;
  return (uint32_t)G * wg_packed_b_floats(p->KH * p->KW * (p->C / G), p->O / G);
}

/* Packs a Conv2D filter once (at load) for w_packed = 1: group g's [KH*KW*C/G, O/G] block of the
 * HWIO filter becomes GEMM panels, the groups one after another. */
WG_EXPORT int wg_pack_conv2d(const float* w, float* packed, const wg_conv2d_params* p) {
  if (check(p) || is_depthwise(p)) return WG_ERR_ARG;
  const int G = p->groups, og = p->O / G, K = p->KH * p->KW * (p->C / G);
  for (int g = 0; g < G; g++) wg_pack_b_strided(w + (size_t)g * og, K, og, p->O, 1, packed + (size_t)g * wg_packed_b_floats(K, og));
  return WG_OK;
}

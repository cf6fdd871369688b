/* Conv2DTranspose: y = act(conv_transpose(x, w) + bias), x NHWC [N, H, W, C], w [KH, KW, O, C], bias [O].
 *
 * The params describe the Conv2D being transposed, as Conv2DBackpropInput's do: its input is y
 * ([N, OH, OW, O] in the fields N, H, W, C), its output x ([N, OH, OW] in the fields OH, OW, O = x's
 * channels), its filter w as it stands (HWIO), groups 1; `activation`/`alpha` are this op's fused
 * activation. The sums are Conv2DBackpropInput's (GEMM core, chunked), then bias and activation. */
#include "grad/_conv_grad.h"

WG_EXPORT int wg_Conv2DTranspose(const float* x, const float* w, const float* bias, float* y,
                                 const wg_conv2d_params* p) {
  if (p->groups != 1 || p->activation < WG_ACT_NONE || p->activation > WG_ACT_GELU) return WG_ERR_ARG;
  wg_conv2d_params plain = *p;
  plain.activation = WG_ACT_NONE;
  const int rc = wg_Conv2DBackpropInput(x, w, y, &plain);
  if (rc != WG_OK) return rc;
  const int rows = p->N * p->H * p->W, cols = p->C;
  if (bias)
    for (int r = 0; r < rows; r++) {
      float* row = y + (size_t)r * cols;
      int c = 0;
      for (; c + 4 <= cols; c += 4) wasm_v128_store(row + c, wasm_f32x4_add(wasm_v128_load(row + c), wasm_v128_load(bias + c)));
      for (; c < cols; c++) row[c] += bias[c];
    }
  wg_act_rows(y, rows, cols, cols, p->activation, p->alpha);
  return WG_OK;
}

/* The fused activation epilogue of MatMul and Conv2D (wg_act_rows, wg.h): the op files' own unary loops,
 * picked by activation code (WG_ACT_*, generated from the op set's list). */
#include "_elementwise.h"

typedef void (*unary_fn)(const float* x, float* y, int n, float alpha);

void wg_act_rows(float* y, int rows, int cols, int ld, int act, float alpha) {
  static const unary_fn by_code[] = {
      [WG_ACT_RELU] = wg_unary_relu,       [WG_ACT_RELU6] = wg_unary_relu6, [WG_ACT_LEAKY_RELU] = wg_unary_leaky_relu,
      [WG_ACT_SIGMOID] = wg_unary_sigmoid, [WG_ACT_TANH] = wg_unary_tanh,   [WG_ACT_GELU] = wg_unary_gelu,
  };
  if (act <= WG_ACT_NONE || act > WG_ACT_GELU) return;
  for (int r = 0; r < rows; r++) by_code[act](y + (size_t)r * ld, y + (size_t)r * ld, cols, alpha);
}

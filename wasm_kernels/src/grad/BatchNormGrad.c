/* BatchNormGrad: one gradient of BatchNorm (inference form over the last axis, x viewed as [rows, C];
 * mean and var are constants), as authoring/ops/batch_norm.py's VJP with inv = 1 / sqrt(var + epsilon):
 * wrt 0 (x): g * (scale * inv), [rows, C];  1 (scale): sum over rows of g * ((x - mean) * inv), [C];
 * 2 (bias): sum over rows of g, [C]. */
#include "../wg.h"

WG_EXPORT int wg_BatchNormGrad(const float* g, const float* x, const float* scale, const float* mean, const float* var,
                               float* out, int32_t rows, int32_t C, float epsilon, int32_t wrt) {
  if (rows < 0 || C < 0 || wrt < 0 || wrt > 2) return WG_ERR_ARG;
  if (wrt == 0) {
    for (int c = 0; c < C; c++) out[c] = scale[c] * (1.0f / __builtin_sqrtf(var[c] + epsilon));
    for (int r = rows - 1; r >= 0; r--) /* backwards: out's first C floats hold the factors until last */
      for (int c = 0; c < C; c++) out[(size_t)r * C + c] = g[(size_t)r * C + c] * out[c];
    return WG_OK;
  }
  for (int c = 0; c < C; c++) out[c] = 0.0f;
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < C; c++) {
      const float gv = g[(size_t)r * C + c];
      out[c] += wrt == 2 ? gv : gv * ((x[(size_t)r * C + c] - mean[c]) * (1.0f / __builtin_sqrtf(var[c] + epsilon)));
    }
  return WG_OK;
}

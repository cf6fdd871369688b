/* BatchNormGrad: one gradient of BatchNorm (inference form over the last axis, x viewed as [rows, C];
 * mean and var are constants), as authoring/raw_ops/batch_norm.py's VJP with inv = 1 / sqrt(var + epsilon):
 * wrt 0 (x): g * (scale * inv), [rows, C];  1 (scale): sum over rows of g * ((x - mean) * inv), [C];
 * 2 (bias): sum over rows of g, [C]. In place (out == g) is allowed for x. Scratch: C floats. */
#include "../wg.h"

WG_EXPORT int wg_BatchNormGrad(const float* g, const float* x, const float* scale, const float* mean, const float* var,
                               float* out, int32_t rows, int32_t C, float epsilon, int32_t wrt) {
  if (rows < 0 || C < 0 || wrt < 0 || wrt > 2) return WG_ERR_ARG;
  const uint32_t mark = wg_mark();
  float* f = wg_alloc((uint32_t)(C > 0 ? C : 1) * sizeof(float)); /* per channel: scale * inv (x) or inv (scale) */
  if (!f) return WG_ERR_OOM;
  for (int c = 0; c < C; c++) {
    const float inv = 1.0f / __builtin_sqrtf(var[c] + epsilon);
    f[c] = wrt == 0 ? scale[c] * inv : inv;
  }
  if (wrt == 0) {
    for (int r = 0; r < rows; r++)
      for (int c = 0; c < C; c++) out[(size_t)r * C + c] = g[(size_t)r * C + c] * f[c];
  } else {
    for (int c = 0; c < C; c++) out[c] = 0.0f;
    for (int r = 0; r < rows; r++) {
      const float *gr = g + (size_t)r * C, *xr = x + (size_t)r * C;
      for (int c = 0; c < C; c++) out[c] += wrt == 2 ? gr[c] : gr[c] * ((xr[c] - mean[c]) * f[c]);
    }
  }
  wg_reset(mark);
  return WG_OK;
}

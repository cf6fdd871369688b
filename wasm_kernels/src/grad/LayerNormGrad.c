/* LayerNormGrad: one gradient of LayerNorm over rows of G = prod(shape[axis:]) values (x viewed as
 * [rows, G], gamma [G]), as authoring/raw_ops/layer_norm.py's VJP: xhat = (x - mean) * inv,
 * inv = 1 / sqrt(var + epsilon) (biased var), dxhat = g * gamma;
 * wrt 0 (x): dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) * inv, [rows, G];
 * wrt 1 (gamma): sum over rows of g * xhat, [G];  wrt 2 (beta): sum over rows of g, [G]. */
#include "../wg.h"

WG_INLINE float row_stats(const float* x, int G, float epsilon, float* mean) {
  float s = 0.0f;
  for (int i = 0; i < G; i++) s += x[i];
  const float m = s / (float)G;
  float v = 0.0f;
  for (int i = 0; i < G; i++) v += (x[i] - m) * (x[i] - m);
  *mean = m;
  return 1.0f / __builtin_sqrtf(v / (float)G + epsilon);
}

WG_EXPORT int wg_LayerNormGrad(const float* g, const float* x, const float* gamma, float* out, int32_t rows, int32_t G,
                               float epsilon, int32_t wrt) {
  if (rows < 0 || G < 0 || wrt < 0 || wrt > 2) return WG_ERR_ARG;
  if (wrt) {
    for (int i = 0; i < G; i++) out[i] = 0.0f;
    for (int r = 0; r < rows; r++) {
      const float *gr = g + (size_t)r * G, *xr = x + (size_t)r * G;
      if (wrt == 2) {
        for (int i = 0; i < G; i++) out[i] += gr[i];
        continue;
      }
      float m;
      const float inv = row_stats(xr, G, epsilon, &m);
      for (int i = 0; i < G; i++) out[i] += gr[i] * ((xr[i] - m) * inv);
    }
    return WG_OK;
  }
  for (int r = 0; r < rows; r++) {
    const float *gr = g + (size_t)r * G, *xr = x + (size_t)r * G;
    float* o = out + (size_t)r * G;
    float m;
    const float inv = row_stats(xr, G, epsilon, &m);
    float s1 = 0.0f, s2 = 0.0f;
    for (int i = 0; i < G; i++) {
      const float d = gr[i] * gamma[i];
      s1 += d;
      s2 += d * ((xr[i] - m) * inv);
    }
    const float m1 = s1 / (float)G, m2 = s2 / (float)G;
    for (int i = 0; i < G; i++) o[i] = (gr[i] * gamma[i] - m1 - (xr[i] - m) * inv * m2) * inv;
  }
  return WG_OK;
}

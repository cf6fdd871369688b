/* The optimizer updates of in-runtime training (js_runtime/src/train/optimizers.js), in place over the
 * weights, gradients and slots in linear memory. Every expression is the same float32 operation, in the
 * same order, as the JS loops (and Python's authoring/optimizers.py): f32x4 add/sub/mul/div/sqrt round
 * each lane once (IEEE), and -ffp-contract=off keeps a * b + c two roundings, so the bits are the same.
 * Lower-case names: these are runtime helpers, not op-set or gradient-op kernels (exporter/coverage.py
 * counts only wg_<UpperCase> exports as ops). The scalars come precomputed (float32) from JS. */
#include "../wg.h"

/* SGD. momentum == 0: value -= lr * grad (v unused, may be 0). Else v = v * momentum - lr * grad, then
 * value += v, or with nesterov value += momentum * v - lr * grad. */
WG_EXPORT int wg_sgd_update(float* w, const float* g, float* v, int32_t n, float lr, float momentum,
                            int32_t nesterov) {
  const v128_t lr4 = wg_splat(lr), mo4 = wg_splat(momentum);
  int32_t i = 0;
  if (momentum == 0.0f) {
    for (; i + 4 <= n; i += 4)
      wasm_v128_store(w + i, wasm_f32x4_sub(wasm_v128_load(w + i), wasm_f32x4_mul(lr4, wasm_v128_load(g + i))));
    for (; i < n; i++) w[i] = w[i] - lr * g[i];
  } else if (nesterov) {
    for (; i + 4 <= n; i += 4) {
      v128_t step = wasm_f32x4_mul(lr4, wasm_v128_load(g + i));
      v128_t vi = wasm_f32x4_sub(wasm_f32x4_mul(wasm_v128_load(v + i), mo4), step);
      wasm_v128_store(v + i, vi);
      wasm_v128_store(w + i, wasm_f32x4_add(wasm_v128_load(w + i), wasm_f32x4_sub(wasm_f32x4_mul(mo4, vi), step)));
    }
    for (; i < n; i++) {
      float step = lr * g[i];
      float vi = v[i] * momentum - step;
      v[i] = vi;
      w[i] = w[i] + (momentum * vi - step);
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      v128_t vi = wasm_f32x4_sub(wasm_f32x4_mul(wasm_v128_load(v + i), mo4), wasm_f32x4_mul(lr4, wasm_v128_load(g + i)));
      wasm_v128_store(v + i, vi);
      wasm_v128_store(w + i, wasm_f32x4_add(wasm_v128_load(w + i), vi));
    }
    for (; i < n; i++) {
      float vi = v[i] * momentum - lr * g[i];
      v[i] = vi;
      w[i] = w[i] + vi;
    }
  }
  return WG_OK;
}

/* Adam with the bias correction folded into lr_t: m = m * b1 + a1 * g; v = v * b2 + a2 * (g * g);
 * value -= (m / (sqrt(v) + eps)) * lr_t, with a1 = 1 - b1 and a2 = 1 - b2 (float32, from JS). */
WG_EXPORT int wg_adam_update(float* w, const float* g, float* m, float* v, int32_t n, float lr_t, float b1, float b2,
                             float a1, float a2, float eps) {
  const v128_t lr4 = wg_splat(lr_t), b14 = wg_splat(b1), b24 = wg_splat(b2), a14 = wg_splat(a1), a24 = wg_splat(a2),
               eps4 = wg_splat(eps);
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gi = wasm_v128_load(g + i);
    v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b14), wasm_f32x4_mul(a14, gi));
    v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), b24), wasm_f32x4_mul(a24, wasm_f32x4_mul(gi, gi)));
    wasm_v128_store(m + i, mi);
    wasm_v128_store(v + i, vi);
    v128_t denom = wasm_f32x4_add(wasm_f32x4_sqrt(vi), eps4);
    wasm_v128_store(w + i, wasm_f32x4_sub(wasm_v128_load(w + i), wasm_f32x4_mul(wasm_f32x4_div(mi, denom), lr4)));
  }
  for (; i < n; i++) {
    float gi = g[i];
    float mi = m[i] * b1 + a1 * gi;
    float vi = v[i] * b2 + a2 * (gi * gi);
    m[i] = mi;
    v[i] = vi;
    float denom = __builtin_sqrtf(vi) + eps;
    w[i] = w[i] - (mi / denom) * lr_t;
  }
  return WG_OK;
}

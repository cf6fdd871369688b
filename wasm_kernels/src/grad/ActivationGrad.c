/* ActivationGrad: dx = g * act'(x) for y = act(x), as the numpy VJP (authoring/raw_ops/_activation.py,
 * activation_grad) derives it: from y where y decides the slope (relu, relu6, leaky_relu with
 * alpha > 0, sigmoid, tanh), from x otherwise (gelu, leaky_relu with alpha <= 0). `act` is the
 * activation code (WG_ACT_*); `approximate` picks gelu's tanh form. In place (dx == g) is allowed. */
#include "../simd_math.h"

#define INV_SQRT_2PI 0.3989422804014327f
#define TANH_C 0.7978845608028654f
#define TANH_K 0.044715f

/* Phi(x) = gelu(x) / x (0.5 at 0): the exact form from the forward op's erfc evaluation. */
WG_INLINE v128_t phi_exact(v128_t x) {
  const v128_t zero = wasm_f32x4_eq(x, V(0.0f));
  const v128_t q = wasm_f32x4_div(v_gelu_exact(x), x);
  return wasm_v128_bitselect(V(0.5f), q, zero);
}

/* not inlined: the main loop and the tail share one copy (gelu's erfc is long) */
WG_NOINLINE v128_t grad4(v128_t g, v128_t x, v128_t y, int act, float alpha, int approximate) {
  const v128_t zero = V(0.0f), one = V(1.0f);
  switch (act) {
    case WG_ACT_RELU:
      return wasm_f32x4_mul(g, wasm_v128_and(wasm_f32x4_gt(y, zero), one));
    case WG_ACT_RELU6:
      return wasm_f32x4_mul(g, wasm_v128_and(wasm_v128_and(wasm_f32x4_gt(y, zero), wasm_f32x4_lt(y, V(6.0f))), one));
    case WG_ACT_LEAKY_RELU: {
      const v128_t side = alpha > 0 ? y : x;
      return wasm_v128_bitselect(g, wasm_f32x4_mul(g, V(alpha)), wasm_f32x4_ge(side, zero));
    }
    case WG_ACT_SIGMOID:
      return wasm_f32x4_mul(g, wasm_f32x4_mul(y, wasm_f32x4_sub(one, y)));
    case WG_ACT_TANH:
      return wasm_f32x4_mul(g, wasm_f32x4_sub(one, wasm_f32x4_mul(y, y)));
    case WG_ACT_GELU: {
      const v128_t z2 = wasm_f32x4_mul(x, x);
      if (!approximate) {
        const v128_t pdf = wasm_f32x4_mul(wasm_f32x4_mul(x, v_exp(wasm_f32x4_mul(wasm_f32x4_mul(V(-0.5f), x), x))), V(INV_SQRT_2PI));
        return wasm_f32x4_mul(g, wasm_f32x4_add(phi_exact(x), pdf));
      }
      const v128_t u = wasm_f32x4_mul(V(2.0f * TANH_C), wasm_f32x4_add(x, wasm_f32x4_mul(wasm_f32x4_mul(V(TANH_K), z2), x)));
      const v128_t s = v_sigmoid(u);
      const v128_t t = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(V(2.0f), x), s), wasm_f32x4_sub(one, s)), V(TANH_C));
      return wasm_f32x4_mul(g, wasm_f32x4_add(s, wasm_f32x4_mul(t, wasm_f32x4_add(one, wasm_f32x4_mul(V(3.0f * TANH_K), z2)))));
    }
    default:
      return g;
  }
}

WG_EXPORT int wg_ActivationGrad(const float* g, const float* x, const float* y, float* dx, int32_t n, int32_t act,
                                float alpha, int32_t approximate) {
  if (n < 0 || act < 0 || act > WG_ACT_GELU) return WG_ERR_ARG;
  int i = 0;
  if (act == WG_ACT_RELU) /* the common one, inlined: g * (y > 0) */
    for (; i + 4 <= n; i += 4)
      wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_v128_load(g + i), wasm_v128_and(wasm_f32x4_gt(wasm_v128_load(y + i), V(0.0f)), V(1.0f))));
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(dx + i, grad4(wasm_v128_load(g + i), wasm_v128_load(x + i), wasm_v128_load(y + i), act, alpha, approximate));
  if (i < n) {
    float tg[4] = {0}, tx[4] = {0}, ty[4] = {0}, t[4];
    for (int j = 0; j < n - i; j++) tg[j] = g[i + j], tx[j] = x[i + j], ty[j] = y[i + j];
    wasm_v128_store(t, grad4(wasm_v128_load(tg), wasm_v128_load(tx), wasm_v128_load(ty), act, alpha, approximate));
    for (int j = 0; j < n - i; j++) dx[i + j] = t[j];
  }
  return WG_OK;
}

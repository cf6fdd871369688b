/* Vectorized float32 math on SIMD128 (4 lanes): exp, log, tanh, sigmoid, gelu.
 *
 * Cephes-style range reduction + minimax polynomials; about 1-2 ulp for exp/log/tanh/sigmoid on
 * normal results and ~5e-7 relative for exact gelu, well inside the op set's tolerances. Special values
 * follow the op set's 'nan' fields: NaN in gives NaN out, exp overflows to +Inf and underflows to 0,
 * log(0) = -Inf, log(x < 0) = NaN, tanh(+-Inf) = +-1, sigmoid(-Inf) = 0, gelu(-Inf) = 0.
 */
#ifndef WG_SIMD_MATH_H
#define WG_SIMD_MATH_H

#include "wg.h"

#define V(c) wasm_f32x4_splat(c)

WG_INLINE v128_t v_copysign(v128_t mag, v128_t sgn) {
  const v128_t sign_bit = wasm_i32x4_splat((int32_t)0x80000000u);
  return wasm_v128_bitselect(sgn, mag, sign_bit);
}

/* exp(x) = 2^n * exp(r), n = round(x / ln2), |r| <= ln2 / 2. n comes from the float adder (adding
 * 1.5 * 2^23 rounds to an integer held in the mantissa bits), not from nearest + trunc_sat, which are
 * long instruction sequences on x86; 2^n is applied as two factors so n can reach the overflow
 * (+Inf) and subnormal ranges without breaking the exponent field. pmin/pmax clamp and keep NaN. */
WG_INLINE v128_t v_exp(v128_t x) {
  const v128_t magic = V(12582912.0f); /* 1.5 * 2^23 */
  v128_t xc = wasm_f32x4_pmin(wasm_f32x4_pmax(x, V(-104.0f)), V(89.0f));
  v128_t fn = wg_madd(xc, V(1.44269504088896341f), magic);
  v128_t n = wasm_f32x4_sub(fn, magic);
  v128_t ni = wasm_i32x4_sub(fn, magic); /* the integer n, from the mantissa bits */
  v128_t r = wasm_f32x4_sub(xc, wasm_f32x4_mul(n, V(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, V(-2.12194440e-4f)));
  v128_t p = V(1.9875691500e-4f);
  p = wg_madd(p, r, V(1.3981999507e-3f));
  p = wg_madd(p, r, V(8.3334519073e-3f));
  p = wg_madd(p, r, V(4.1665795894e-2f));
  p = wg_madd(p, r, V(1.6666665459e-1f));
  p = wg_madd(p, r, V(5.0000001201e-1f));
  v128_t y = wasm_f32x4_add(wg_madd(p, wasm_f32x4_mul(r, r), r), V(1.0f));
  v128_t h = wasm_i32x4_shr(ni, 1);
  v128_t e1 = wasm_i32x4_shl(wasm_i32x4_add(h, wasm_i32x4_splat(127)), 23);
  v128_t e2 = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_sub(ni, h), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(wasm_f32x4_mul(y, e1), e2);
}

/* ln(x): x = m * 2^e with m in [sqrt(1/2), sqrt(2)), ln(m) by a degree-9 polynomial in m - 1. */
WG_INLINE v128_t v_log(v128_t x) {
  const v128_t tiny = wasm_f32x4_lt(x, V(1.17549435e-38f)); /* subnormal (and <= 0: fixed below) */
  v128_t xs = wasm_v128_bitselect(wasm_f32x4_mul(x, V(8388608.0f)), x, tiny);
  v128_t bits = xs;
  v128_t e = wasm_i32x4_sub(wasm_u32x4_shr(bits, 23), wasm_i32x4_splat(126));
  e = wasm_i32x4_sub(e, wasm_v128_and(tiny, wasm_i32x4_splat(23)));
  v128_t m = wasm_v128_or(wasm_v128_and(bits, wasm_i32x4_splat(0x007fffff)), wasm_i32x4_splat(0x3f000000));
  v128_t ef = wasm_f32x4_convert_i32x4(e);
  const v128_t lo = wasm_f32x4_lt(m, V(0.707106781186547524f));
  ef = wasm_f32x4_sub(ef, wasm_v128_and(lo, V(1.0f)));
  m = wasm_f32x4_sub(wasm_f32x4_add(m, wasm_v128_and(lo, m)), V(1.0f));
  v128_t z = wasm_f32x4_mul(m, m);
  v128_t p = V(7.0376836292e-2f);
  p = wg_madd(p, m, V(-1.1514610310e-1f));
  p = wg_madd(p, m, V(1.1676998740e-1f));
  p = wg_madd(p, m, V(-1.2420140846e-1f));
  p = wg_madd(p, m, V(1.4249322787e-1f));
  p = wg_madd(p, m, V(-1.6668057665e-1f));
  p = wg_madd(p, m, V(2.0000714765e-1f));
  p = wg_madd(p, m, V(-2.4999993993e-1f));
  p = wg_madd(p, m, V(3.3333331174e-1f));
  v128_t y = wasm_f32x4_mul(wasm_f32x4_mul(p, m), z);
  y = wg_madd(ef, V(-2.12194440e-4f), y);
  y = wg_madd(z, V(-0.5f), y);
  y = wasm_f32x4_add(m, y);
  y = wg_madd(ef, V(0.693359375f), y);
  y = wasm_v128_bitselect(x, y, wasm_f32x4_eq(x, V(__builtin_inff())));
  y = wasm_v128_bitselect(V(-__builtin_inff()), y, wasm_f32x4_eq(x, V(0.0f)));
  return wasm_v128_bitselect(V(__builtin_nanf("")), y, wasm_v128_or(wasm_f32x4_lt(x, V(0.0f)), wasm_f32x4_ne(x, x)));
}

/* tanh: odd polynomial for |x| < 0.625, else 1 - 2 / (exp(2|x|) + 1) with the sign of x. */
WG_INLINE v128_t v_tanh(v128_t x) {
  v128_t ax = wasm_f32x4_abs(x);
  v128_t z = wasm_f32x4_mul(x, x);
  v128_t p = V(-5.70498872745e-3f);
  p = wg_madd(p, z, V(2.06390887954e-2f));
  p = wg_madd(p, z, V(-5.37397155531e-2f));
  p = wg_madd(p, z, V(1.33314422036e-1f));
  p = wg_madd(p, z, V(-3.33332819422e-1f));
  v128_t small = wg_madd(wasm_f32x4_mul(p, z), x, x);
  v128_t e = v_exp(wasm_f32x4_add(ax, ax));
  v128_t big = wasm_f32x4_sub(V(1.0f), wasm_f32x4_div(V(2.0f), wasm_f32x4_add(e, V(1.0f))));
  return wasm_v128_bitselect(small, v_copysign(big, x), wasm_f32x4_lt(ax, V(0.625f)));
}

/* sigmoid: with z = exp(-|x|) (never overflows), 1 / (1 + z) for x >= 0 and z / (1 + z) for x < 0. */
WG_INLINE v128_t v_sigmoid(v128_t x) {
  v128_t z = v_exp(wasm_f32x4_neg(wasm_f32x4_abs(x)));
  v128_t num = wasm_v128_bitselect(z, V(1.0f), wasm_f32x4_lt(x, V(0.0f)));
  return wasm_f32x4_div(num, wasm_f32x4_add(z, V(1.0f)));
}

/* Exact gelu, x * Phi(x), relative-exact in the negative tail too (0.5 + 0.5 erf(x / sqrt 2) cancels:
 * ~35% off at x = -5, 0 below -5.6): Phi(x) = 0.5 erfc(|x| / sqrt 2) for x < 0 and 1 - that otherwise,
 * erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z / 2) (Numerical Recipes' erfcc, fractional error
 * < 1.2e-7). z^2 = x^2 / 2 is not rounded: x = xh + xl with xh holding 12 significant bits, so
 * exp(-x^2 / 2) = exp(-xh^2 / 2) * exp(-xl (x + xh) / 2) with an exact first argument (a rounded z^2
 * costs ~6e-6 relative at x = -10). The tiny factor exp(-xh^2 / 2) multiplies last, so nothing goes
 * subnormal before the result does. |x| is clamped to 20 (Phi is 0 or 1 in float32 long before):
 * gelu(+Inf) = +Inf, gelu(-Inf) = 0 (not -Inf * 0), NaN stays NaN. ~5e-7 relative down to x = -13. */
WG_INLINE v128_t v_gelu_exact(v128_t x) {
  const v128_t a = wasm_f32x4_pmin(wasm_f32x4_abs(x), V(20.0f)); /* NaN stays */
  const v128_t t = wasm_f32x4_div(V(1.0f), wg_madd(a, V(0.35355339059327376f), V(1.0f)));
  v128_t p = V(0.17087277f);
  p = wg_madd(p, t, V(-0.82215223f));
  p = wg_madd(p, t, V(1.48851587f));
  p = wg_madd(p, t, V(-1.13520398f));
  p = wg_madd(p, t, V(0.27886807f));
  p = wg_madd(p, t, V(-0.18628806f));
  p = wg_madd(p, t, V(0.09678418f));
  p = wg_madd(p, t, V(0.37409196f));
  p = wg_madd(p, t, V(1.00002368f));
  p = wg_madd(p, t, V(-1.26551223f));
  const v128_t ah = wasm_v128_and(a, wasm_i32x4_splat((int32_t)0xfffff000u));
  const v128_t lo = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_sub(a, ah), wasm_f32x4_add(a, ah)), V(0.5f));
  const v128_t h = wasm_f32x4_mul(wasm_f32x4_mul(t, V(0.5f)), v_exp(wasm_f32x4_sub(p, lo))); /* Phi(-|x|) / e */
  const v128_t e = v_exp(wasm_f32x4_mul(wasm_f32x4_mul(ah, ah), V(-0.5f)));
  const v128_t neg = wasm_f32x4_lt(x, V(0.0f));
  const v128_t y_neg = wasm_f32x4_mul(wasm_f32x4_mul(x, h), e);
  const v128_t y_pos = wasm_f32x4_mul(x, wasm_f32x4_sub(V(1.0f), wasm_f32x4_mul(h, e)));
  const v128_t y = wasm_v128_bitselect(y_neg, y_pos, neg);
  return wasm_v128_andnot(y, wasm_v128_and(neg, wasm_f32x4_eq(e, V(0.0f))));
}

/* gelu(x) = x * Phi(x): exact (above), or approximate: Phi ~ sigmoid(2u), u = sqrt(2/pi)
 * (x + 0.044715 x^3), whose exp(-|2u|) form is relative-exact in the tail too; where Phi is 0 the
 * result is 0 (so gelu(-Inf) = 0, not NaN). */
WG_INLINE v128_t v_gelu(v128_t x, int approximate) {
  if (!approximate) return v_gelu_exact(x);
  v128_t u = wasm_f32x4_mul(x, wg_madd(wasm_f32x4_mul(x, x), V(0.044715f), V(1.0f)));
  v128_t cdf = v_sigmoid(wasm_f32x4_mul(u, V(1.5957691216057308f))); /* 2 * sqrt(2/pi) */
  v128_t y = wasm_f32x4_mul(x, cdf);
  return wasm_v128_andnot(y, wasm_f32x4_eq(cdf, V(0.0f)));
}

#endif

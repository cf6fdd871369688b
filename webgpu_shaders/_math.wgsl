// ---- shared math (webgpu_shaders/_math.wgsl) -------------------------------------------------
// NaN and Inf are tested and made through their bits: compilers may fold `x != x` away, WGSL has no
// NaN/Inf literals, and a constant expression must not evaluate to one (so the bits go through a var).
fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) == 0x7f800000u; }
fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn inf_f32(negative: bool) -> f32 { var bits = select(0x7f800000u, 0xff800000u, negative); return bitcast<f32>(bits); }
// exp(NaN) is Inf on some drivers (SwiftShader): every exp of a value that may be NaN goes through here.
fn exp_f32(v: f32) -> f32 { if (is_nan(v)) { return v; } return exp(v); }

// Never overflows: exp of a non-positive number only.
fn sigmoid_f32(v: f32) -> f32 {
  let e = exp_f32(-abs(v));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
}

// Built-in tanh is unreliable for large |x| on some drivers (NaN); this form saturates to +-1.
fn tanh_f32(v: f32) -> f32 {
  let e = exp_f32(-2.0 * abs(v));
  let t = (1.0 - e) / (1.0 + e);
  return select(t, -t, v < 0.0);
}

// exp(q) for a finite q <= 0 with an error that does not grow with |q|: WGSL allows exp 3 + 2|q| ulp
// (e-80 may be off by 1e-5 relative), so q = k ln2 + r (Cody-Waite: k * 0.693359375 is exact) and
// exp(q) = 2^k exp(r) with |r| <= ln2 / 2. Underflows to 0 (GPUs flush subnormals).
fn exp_reduced(q: f32) -> f32 {
  let k = round(q * 1.4426950408889634);
  let r = (q - k * 0.693359375) - k * -2.12194440e-4;
  return ldexp(exp(r), i32(k));
}

// x * Phi(x), relative-exact in the negative tail (0.5 + 0.5 erf(x / sqrt 2) cancels to 0 below -5.6):
// Phi(x) = 0.5 erfc(|x| / sqrt 2) for x < 0 and 1 - that otherwise, erfc(z) = t exp(-z^2 + P(t)),
// t = 1 / (1 + z / 2) (Numerical Recipes' erfcc, fractional error < 1.2e-7). z^2 = x^2 / 2 is not
// rounded: x = xh + xl with xh holding 12 significant bits, so exp(-x^2 / 2) = exp(-xh^2 / 2) *
// exp(-xl (x + xh) / 2) with an exact first argument (a rounded z^2 costs ~6e-6 relative at x = -10).
// The tiny factor exp(-xh^2 / 2) multiplies last, so no intermediate goes subnormal (GPUs flush them)
// while the result is normal, down to x = -13. Gelu(-Inf) = 0, Gelu(+Inf) = +Inf, NaN stays NaN.
fn gelu_f32(v: f32) -> f32 {
  if (is_nan(v)) { return v; }
  let a = min(abs(v), 20.0); // erfc(20 / sqrt 2) is 0 in f32; keeps Inf out of Inf - Inf below
  let t = 1.0 / (1.0 + 0.35355339059327376 * a);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let ah = bitcast<f32>(bitcast<u32>(a) & 0xfffff000u);
  let h = 0.5 * t * exp_f32(p - 0.5 * (a - ah) * (a + ah)); // Phi(-|x|) / exp(-xh^2 / 2)
  let e = exp_reduced(-0.5 * (ah * ah));
  if (v < 0.0) { return select((v * h) * e, 0.0, e == 0.0); }
  return v * (1.0 - h * e);
}

// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) = x * sigmoid(2u).
fn gelu_tanh_f32(v: f32) -> f32 {
  let cdf = sigmoid_f32(1.5957691216057308 * (v + 0.044715 * v * v * v));
  return select(v * cdf, 0.0, cdf == 0.0);
}

fn relu_f32(v: f32) -> f32 { return select(v, 0.0, v < 0.0); } // NaN < 0 is false: NaN stays
fn relu6_f32(v: f32) -> f32 { return select(select(v, 6.0, v > 6.0), 0.0, v < 0.0); }
fn leaky_relu_f32(v: f32, alpha: f32) -> f32 { return select(alpha * v, v, v >= 0.0 || is_nan(v)); }
// -------------------------------------------------------------------------------------------------

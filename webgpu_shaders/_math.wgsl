// ---- shared math (webgpu_shaders/_math.wgsl) -------------------------------------------------
// NaN and Inf are tested and made through their bits: compilers may fold `x != x` away, WGSL has no
// NaN/Inf literals, and a constant expression must not evaluate to one (so the bits go through a var).
fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) == 0x7f800000u; }
fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn inf_f32(negative: bool) -> f32 { var bits = select(0x7f800000u, 0xff800000u, negative); return bitcast<f32>(bits); }
// exp(NaN) is Inf on some drivers (SwiftShader): every exp of a value that may be NaN goes through here.
fn exp_f32(v: f32) -> f32 { if (is_nan(v)) { return v; } return exp(v); }

// Complementary error function, fractional error < 1.2e-7 on the whole line (Chebyshev fit).
fn erfc_f32(v: f32) -> f32 {
  let z = abs(v);
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * exp_f32(p);
  return select(r, 2.0 - r, v < 0.0);
}

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

// x * Phi(x) with Phi from erfc; Gelu(-Inf) = 0 (not -Inf * 0).
fn gelu_f32(v: f32) -> f32 {
  let cdf = 0.5 * erfc_f32(-v * 0.70710678118654752);
  return select(v * cdf, 0.0, cdf == 0.0);
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

/* What the elementwise op files (Relu.c ... Sqrt.c, Add.c ... Minimum.c) share: the loop templates each
 * file instantiates with its own vector (and scalar) form, so every op gets one inlined copy of its
 * math, and the broadcast walk of the binary ops (broadcast.c). In place (y == x, y == a or y == b) is
 * allowed everywhere. */
#ifndef WG_ELEMENTWISE_H
#define WG_ELEMENTWISE_H
#include "simd_math.h"

/* Defines `void name(const float* x, float* y, int n, float alpha)`: y = f(x, splat(alpha)) over n
 * floats, the ragged end going through the same vector code (one copy of the math). Prefix `static`
 * unless activation.c needs the function. */
#define WG_UNARY_LOOP(name, f)                                    \
  void name(const float* x, float* y, int n, float alpha) {       \
    const v128_t va = wasm_f32x4_splat(alpha);                     \
    for (int i = 0; i < n; i += 4) {                               \
      const int m = n - i;                                         \
      float t[4] = {0, 0, 0, 0};                                   \
      v128_t v;                                                    \
      if (m >= 4) {                                                \
        v = wasm_v128_load(x + i);                                 \
      } else {                                                     \
        for (int j = 0; j < m; j++) t[j] = x[i + j];               \
        v = wasm_v128_load(t);                                     \
      }                                                            \
      v = f(v, va);                                                \
      if (m >= 4) {                                                \
        wasm_v128_store(y + i, v);                                 \
      } else {                                                     \
        wasm_v128_store(t, v);                                     \
        for (int j = 0; j < m; j++) y[i + j] = t[j];               \
      }                                                            \
    }                                                              \
  }

/* The unary loops the fused activations (activation.c) reuse, one per op file. */
void wg_unary_relu(const float* x, float* y, int n, float alpha);
void wg_unary_relu6(const float* x, float* y, int n, float alpha);
void wg_unary_leaky_relu(const float* x, float* y, int n, float alpha);
void wg_unary_sigmoid(const float* x, float* y, int n, float alpha);
void wg_unary_tanh(const float* x, float* y, int n, float alpha);
void wg_unary_gelu(const float* x, float* y, int n, float alpha); /* exact (erf) form */

/* One run of n outputs of a binary op; sa/sb are 1 (contiguous) or 0 (the operand is one broadcast
 * value). */
typedef void (*wg_binary_run_fn)(const float* a, int sa, const float* b, int sb, float* y, int n);

/* Defines `static void name(...)`, a wg_binary_run_fn from the op's vector form fv(a, b) and scalar
 * form fs(a, b). */
#define WG_BINARY_RUN(name, fv, fs)                                                                     \
  static void name(const float* a, int sa, const float* b, int sb, float* y, int n) {                  \
    int i = 0;                                                                                          \
    if (sa && sb) {                                                                                     \
      for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, fv(wasm_v128_load(a + i), wasm_v128_load(b + i))); \
      for (; i < n; i++) y[i] = fs(a[i], b[i]);                                                         \
    } else if (sa) {                                                                                    \
      const float bs = *b;                                                                              \
      const v128_t bv = wasm_f32x4_splat(bs);                                                           \
      for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, fv(wasm_v128_load(a + i), bv));                 \
      for (; i < n; i++) y[i] = fs(a[i], bs);                                                           \
    } else if (sb) {                                                                                    \
      const float as = *a;                                                                              \
      const v128_t av = wasm_f32x4_splat(as);                                                           \
      for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, fv(av, wasm_v128_load(b + i)));                 \
      for (; i < n; i++) y[i] = fs(as, b[i]);                                                           \
    } else {                                                                                            \
      const float v = fs(*a, *b);                                                                       \
      for (; i < n; i++) y[i] = v;                                                                      \
    }                                                                                                   \
  }

/* y = run(a, b) with numpy broadcasting as p describes (broadcast.c); WG_ERR_ARG on bad shapes. */
int wg_broadcast(const float* a, const float* b, float* y, const wg_broadcast_params* p, wg_binary_run_fn run);

#endif

/* Elementwise ops. Unary: Relu, Relu6, LeakyRelu, Gelu, Sigmoid, Tanh, Exp, Log, Sqrt
 * (`int wg_<Op>(const float* x, float* y, int32_t n[, attr])`). Binary with numpy broadcasting:
 * Add, Sub, Mul, Div, Maximum, Minimum (`int wg_<Op>(const float* a, const float* b, float* y,
 * const wg_broadcast_params* p)`). In place (y == x, y == a or y == b) is allowed.
 *
 * Each op is one table entry (UNARY_OPS / BINARY_OPS) whose vector and scalar forms are inlined into
 * one loop; the export wrappers below are one line each.
 */
#include "simd_math.h"

/* ---------------------------------------------------------------- unary */

enum { U_RELU, U_RELU6, U_LEAKY_RELU, U_SIGMOID, U_TANH, U_GELU, U_GELU_TANH, U_EXP, U_LOG, U_SQRT, U_COUNT };

WG_INLINE v128_t unary_v(int op, v128_t x, v128_t alpha) {
  switch (op) {
    case U_RELU: return wasm_f32x4_pmax(x, V(0.0f)); /* x < 0 ? 0 : x: NaN and -0 stay */
    case U_RELU6: return wasm_f32x4_pmin(wasm_f32x4_pmax(x, V(0.0f)), V(6.0f));
    case U_LEAKY_RELU: return wasm_v128_bitselect(x, wasm_f32x4_mul(x, alpha), wasm_f32x4_ge(x, V(0.0f)));
    case U_SIGMOID: return v_sigmoid(x);
    case U_TANH: return v_tanh(x);
    case U_GELU: return v_gelu(x, 0);
    case U_GELU_TANH: return v_gelu(x, 1);
    case U_EXP: return v_exp(x);
    case U_LOG: return v_log(x);
    default: return wasm_f32x4_sqrt(x);
  }
}

/* One inlined copy of the math per op (code size): the ragged end goes through the same vector code. */
WG_INLINE void unary_loop(const float* x, float* y, int n, int op, float alpha) {
  const v128_t va = wasm_f32x4_splat(alpha);
  for (int i = 0; i < n; i += 4) {
    const int m = n - i;
    float t[4] = {0, 0, 0, 0};
    v128_t v;
    if (m >= 4) {
      v = wasm_v128_load(x + i);
    } else {
      for (int j = 0; j < m; j++) t[j] = x[i + j];
      v = wasm_v128_load(t);
    }
    v = unary_v(op, v, va);
    if (m >= 4) {
      wasm_v128_store(y + i, v);
    } else {
      wasm_v128_store(t, v);
      for (int j = 0; j < m; j++) y[i + j] = t[j];
    }
  }
}

#define UNARY_OPS(X) X(U_RELU) X(U_RELU6) X(U_LEAKY_RELU) X(U_SIGMOID) X(U_TANH) X(U_GELU) X(U_GELU_TANH) \
  X(U_EXP) X(U_LOG) X(U_SQRT)

WG_NOINLINE void unary(const float* x, float* y, int n, int op, float alpha) {
  switch (op) {
#define CASE(op) case op: unary_loop(x, y, n, op, alpha); break;
    UNARY_OPS(CASE)
#undef CASE
  }
}

void wg_act_rows(float* y, int rows, int cols, int ld, int act, float alpha) {
  static const signed char to_unary[] = {-1, U_RELU, U_RELU6, U_LEAKY_RELU, U_SIGMOID, U_TANH, U_GELU};
  if (act <= WG_ACT_NONE || act > WG_ACT_GELU) return;
  for (int r = 0; r < rows; r++) unary(y + (size_t)r * ld, y + (size_t)r * ld, cols, to_unary[act], alpha);
}

WG_EXPORT int wg_Relu(const float* x, float* y, int32_t n) { unary(x, y, n, U_RELU, 0); return WG_OK; }
WG_EXPORT int wg_Relu6(const float* x, float* y, int32_t n) { unary(x, y, n, U_RELU6, 0); return WG_OK; }
WG_EXPORT int wg_LeakyRelu(const float* x, float* y, int32_t n, float alpha) {
  unary(x, y, n, U_LEAKY_RELU, alpha);
  return WG_OK;
}
WG_EXPORT int wg_Sigmoid(const float* x, float* y, int32_t n) { unary(x, y, n, U_SIGMOID, 0); return WG_OK; }
WG_EXPORT int wg_Tanh(const float* x, float* y, int32_t n) { unary(x, y, n, U_TANH, 0); return WG_OK; }
WG_EXPORT int wg_Gelu(const float* x, float* y, int32_t n, int32_t approximate) {
  unary(x, y, n, approximate ? U_GELU_TANH : U_GELU, 0);
  return WG_OK;
}
WG_EXPORT int wg_Exp(const float* x, float* y, int32_t n) { unary(x, y, n, U_EXP, 0); return WG_OK; }
WG_EXPORT int wg_Log(const float* x, float* y, int32_t n) { unary(x, y, n, U_LOG, 0); return WG_OK; }
WG_EXPORT int wg_Sqrt(const float* x, float* y, int32_t n) { unary(x, y, n, U_SQRT, 0); return WG_OK; }

/* ---------------------------------------------------------------- binary */

enum { B_ADD, B_SUB, B_MUL, B_DIV, B_MAXIMUM, B_MINIMUM };

/* numpy.maximum(a, b) = (a > b or a is NaN) ? a : b; minimum likewise with <. pmax(b, a) is
 * "b < a ? a : b", so only a NaN in a needs the extra select. */
WG_INLINE v128_t binary_v(int op, v128_t a, v128_t b) {
  switch (op) {
    case B_ADD: return wasm_f32x4_add(a, b);
    case B_SUB: return wasm_f32x4_sub(a, b);
    case B_MUL: return wasm_f32x4_mul(a, b);
    case B_DIV: return wasm_f32x4_div(a, b);
    case B_MAXIMUM: return wasm_v128_bitselect(a, wasm_f32x4_pmax(b, a), wasm_f32x4_ne(a, a));
    default: return wasm_v128_bitselect(a, wasm_f32x4_pmin(b, a), wasm_f32x4_ne(a, a));
  }
}

WG_INLINE float binary_s(int op, float a, float b) {
  switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_MAXIMUM: return (a > b || a != a) ? a : b;
    default: return (a < b || a != a) ? a : b;
  }
}

/* One run of n outputs; sa/sb are 1 (contiguous) or 0 (the operand is one broadcast value). */
WG_INLINE void binary_run(int op, const float* a, int sa, const float* b, int sb, float* y, int n) {
  int i = 0;
  if (sa && sb) {
    for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, binary_v(op, wasm_v128_load(a + i), wasm_v128_load(b + i)));
    for (; i < n; i++) y[i] = binary_s(op, a[i], b[i]);
  } else if (sa) {
    const float bs = *b;
    const v128_t bv = wasm_f32x4_splat(bs);
    for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, binary_v(op, wasm_v128_load(a + i), bv));
    for (; i < n; i++) y[i] = binary_s(op, a[i], bs);
  } else if (sb) {
    const float as = *a;
    const v128_t av = wasm_f32x4_splat(as);
    for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, binary_v(op, av, wasm_v128_load(b + i)));
    for (; i < n; i++) y[i] = binary_s(op, as, b[i]);
  } else {
    const float v = binary_s(op, *a, *b);
    for (; i < n; i++) y[i] = v;
  }
}

typedef void (*run_fn)(const float*, int, const float*, int, float*, int);

#define BINARY_OPS(X) X(B_ADD) X(B_SUB) X(B_MUL) X(B_DIV) X(B_MAXIMUM) X(B_MINIMUM)
#define RUN_FN(op) \
  static void run_##op(const float* a, int sa, const float* b, int sb, float* y, int n) { binary_run(op, a, sa, b, sb, y, n); }
BINARY_OPS(RUN_FN)
#undef RUN_FN

/* Collapses the broadcast to runs: drops size-1 dims, merges neighbours that stay contiguous for
 * both operands, then walks the outer dims with an odometer. */
static int broadcast(const float* a, const float* b, float* y, const wg_broadcast_params* p, run_fn run) {
  const int rank = p->rank;
  if (rank < 0 || rank > WG_MAX_RANK) return WG_ERR_ARG;
  int sa[WG_MAX_RANK], sb[WG_MAX_RANK];
  int ca = 1, cb = 1;
  for (int d = rank - 1; d >= 0; d--) {
    const int o = p->out_shape[d], da = p->a_shape[d], db = p->b_shape[d];
    if ((da != o && da != 1) || (db != o && db != 1) || o < 0) return WG_ERR_ARG;
    sa[d] = da == 1 ? 0 : ca;
    sb[d] = db == 1 ? 0 : cb;
    ca *= da;
    cb *= db;
  }
  int dims[WG_MAX_RANK], xa[WG_MAX_RANK], xb[WG_MAX_RANK], m = 0;
  for (int d = 0; d < rank; d++) {
    const int o = p->out_shape[d];
    if (o == 0) return WG_OK;
    if (o == 1) continue;
    if (m > 0 && xa[m - 1] == sa[d] * o && xb[m - 1] == sb[d] * o) {
      dims[m - 1] *= o;
      xa[m - 1] = sa[d];
      xb[m - 1] = sb[d];
    } else {
      dims[m] = o;
      xa[m] = sa[d];
      xb[m] = sb[d];
      m++;
    }
  }
  if (m == 0) {
    run(a, 0, b, 0, y, 1);
    return WG_OK;
  }
  const int n = dims[m - 1], ia = xa[m - 1], ib = xb[m - 1];
  int idx[WG_MAX_RANK] = {0};
  int oa = 0, ob = 0;
  for (;;) {
    run(a + oa, ia, b + ob, ib, y, n);
    y += n;
    int d = m - 2;
    for (; d >= 0; d--) {
      oa += xa[d];
      ob += xb[d];
      if (++idx[d] < dims[d]) break;
      oa -= xa[d] * dims[d];
      ob -= xb[d] * dims[d];
      idx[d] = 0;
    }
    if (d < 0) return WG_OK;
  }
}

#define BINARY_EXPORT(Name, op) \
  WG_EXPORT int wg_##Name(const float* a, const float* b, float* y, const wg_broadcast_params* p) { \
    return broadcast(a, b, y, p, run_##op); \
  }
BINARY_EXPORT(Add, B_ADD)         /* wg_Add */
BINARY_EXPORT(Sub, B_SUB)         /* wg_Sub */
BINARY_EXPORT(Mul, B_MUL)         /* wg_Mul */
BINARY_EXPORT(Div, B_DIV)         /* wg_Div */
BINARY_EXPORT(Maximum, B_MAXIMUM) /* wg_Maximum */
BINARY_EXPORT(Minimum, B_MINIMUM) /* wg_Minimum */

/* The GEMV step shared by gemm_core.c (float32 panels) and gemm_q.c (int8 / float16 panels): one row
 * of A against P panels of B ([K][8] each), per k one splat load of A, each panel's row of 8 loaded
 * (and decoded to float32 for a stored weight) and 2 * P multiply-adds into independent accumulators;
 * K split into S = 4 / P interleaved partial sums when P < 3 (too few accumulators to hide the latency
 * otherwise); the fused epilogue (bias preloaded, activation, partial store). Being one body, the
 * float32 GEMV and the stored-weight one make the same sums in the same order: the same bits on the
 * same (dequantized) values. See gemm_core.c for the measurements behind P and S. */
#ifndef WG_GEMV_PANELS_H
#define WG_GEMV_PANELS_H

#include "gemm_core.h"
#include "gemm_q.h"

/* What the panels hold: float32, or a stored kind of gemm_q.h (WG_Q_INT8, WG_Q_F16). */
enum { WG_B_F32 = 0 };

/* 4 finite halves, sign-extended to i32 lanes, to floats, exactly: shifted left by 13, the sign lands
 * on bit 31, the exponent and mantissa on the float's fields (after clearing bits 30-28, copies of the
 * sign), which then read as 2^-112 times the value (subnormal halves land on subnormal or normal floats
 * alike), so one multiply by 2^112 (a power of two: exact) finishes it. The loader refuses Inf/NaN
 * weights, so half.h's general conversion is not needed here. */
WG_INLINE v128_t finite_f16_to_f32(v128_t h) {
  const v128_t bits = wasm_v128_and(wasm_i32x4_shl(h, 13), wasm_i32x4_splat((int32_t)0x8fffffffu));
  return wasm_f32x4_mul(bits, wasm_f32x4_splat(0x1p112f));
}

/* Row of 8 values at `row` as two float32 vectors: float32 as is, int8 times the panel's scales `s`,
 * float16 widened. */
WG_INLINE void wg_load_b_row(const int kind, const char* row, const float* s, v128_t* lo, v128_t* hi) {
  if (kind == WG_Q_INT8) {
    const v128_t v = wasm_i16x8_load8x8(row);
    *lo = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(v)), wasm_v128_load(s));
    *hi = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(v)), wasm_v128_load(s + 4));
  } else if (kind == WG_Q_F16) {
    const v128_t v = wasm_v128_load(row);
    *lo = finite_f16_to_f32(wasm_i32x4_extend_low_i16x8(v));
    *hi = finite_f16_to_f32(wasm_i32x4_extend_high_i16x8(v));
  } else {
    *lo = wasm_v128_load(row);
    *hi = wasm_v128_load(row + 16);
  }
}

/* c[0, (P - 1) * 8 + nr) = act(a @ panels + bias): panel p at b + p * ps, its rows `row` bytes apart
 * (ps, row in bytes; `kind`, P and row constants in each instance); `scales`: int8's, per panel of 8. */
WG_INLINE void wg_gemv_panels(const int kind, const int P, int K, const float* restrict a, const char* b, size_t ps,
                              const size_t row, const float* scales, float* restrict c, int nr, const float* bias,
                              int act, float alpha) {
  enum { PMAX = 3, NR8 = WG_NR };
  const int S = P >= 3 ? 1 : 4 / P;
  v128_t acc0[4][PMAX], acc1[4][PMAX];
  const char* bp[PMAX];
#pragma clang loop unroll(full)
  for (int p = 0; p < P; p++) {
    bp[p] = b + p * ps;
#pragma clang loop unroll(full)
    for (int s = 0; s < S; s++) {
      acc0[s][p] = s == 0 && bias ? wasm_v128_load(bias + p * NR8) : wasm_f32x4_splat(0.0f);
      acc1[s][p] = s == 0 && bias ? wasm_v128_load(bias + p * NR8 + 4) : wasm_f32x4_splat(0.0f);
    }
  }
  int k = 0;
#pragma clang loop unroll(disable)
  for (; k + S <= K; k += S) {
#pragma clang loop unroll(full)
    for (int j = 0; j < S; j++) {
      const v128_t x = wasm_v128_load32_splat(a + k + j);
#pragma clang loop unroll(full)
      for (int p = 0; p < P; p++) {
        v128_t lo, hi;
        wg_load_b_row(kind, bp[p] + j * row, scales + p * NR8, &lo, &hi);
        acc0[j][p] = wg_madd(x, lo, acc0[j][p]);
        acc1[j][p] = wg_madd(x, hi, acc1[j][p]);
        WG_LOAD_FENCE();
      }
    }
#pragma clang loop unroll(full)
    for (int p = 0; p < P; p++) bp[p] += S * row;
  }
  for (; k < K; k++) {
    const v128_t x = wasm_v128_load32_splat(a + k);
#pragma clang loop unroll(full)
    for (int p = 0; p < P; p++) {
      v128_t lo, hi;
      wg_load_b_row(kind, bp[p], scales + p * NR8, &lo, &hi);
      acc0[0][p] = wg_madd(x, lo, acc0[0][p]);
      acc1[0][p] = wg_madd(x, hi, acc1[0][p]);
      bp[p] += row;
    }
  }
#pragma clang loop unroll(full)
  for (int p = 0; p < P; p++) {
    v128_t t0 = acc0[0][p], t1 = acc1[0][p];
    if (S == 4) {
      t0 = wasm_f32x4_add(wasm_f32x4_add(t0, acc0[1][p]), wasm_f32x4_add(acc0[2][p], acc0[3][p]));
      t1 = wasm_f32x4_add(wasm_f32x4_add(t1, acc1[1][p]), wasm_f32x4_add(acc1[2][p], acc1[3][p]));
    } else if (S == 2) {
      t0 = wasm_f32x4_add(t0, acc0[1][p]);
      t1 = wasm_f32x4_add(t1, acc1[1][p]);
    }
    wg_act_row8(&t0, &t1, act, alpha);
    wg_store_row8(c + p * NR8, t0, t1, p == P - 1 ? nr : NR8);
  }
  if (act >= WG_ACT_SIGMOID) wg_act_rows(c, 1, (P - 1) * NR8 + nr, (P - 1) * NR8 + nr, act, alpha);
}

#endif

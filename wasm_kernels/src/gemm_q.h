/* Weights kept at their stored width (int8 with per-output-channel scales, or float16) in the GEMM
 * core's panel layout (gemm_core.h: panels of [K][WG_NR], zero-padded past N), and decoded to float32
 * panels inside the kernel call (gemm_q.c). */
#ifndef WG_GEMM_Q_H
#define WG_GEMM_Q_H

#include "wg.h"

/* What the stored elements are: int8_symmetric (one scale per output column) or IEEE float16. */
enum { WG_Q_INT8 = 1, WG_Q_F16 = 2 };

/* Decodes `panels` panels of K rows from `src` (elements of `kind`) into float32 panels at dst:
 * int8 q in column c of panel p becomes float32(q) * scales[p * WG_NR + c] (one rounding, as the
 * Dequantize op computes it), float16 converts exactly; so the GEMM that follows gives the same bits
 * as the float32 path on the dequantized weights. */
void wg_q_decode_panels(const void* src, const float* scales, float* dst, int panels, int K, int kind);

#endif

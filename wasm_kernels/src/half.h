/* IEEE float16 <-> float32 (bit tricks after F. Giesen's half_to_float / float_to_half_fast3_rtne):
 * exact widening (subnormals, Inf, NaN), round-to-nearest-even narrowing with overflow to Inf. */
#ifndef WG_HALF_H
#define WG_HALF_H

#include "wg.h"

WG_INLINE float f16_to_f32(uint16_t h) {
  uint32_t o = (uint32_t)(h & 0x7fff) << 13;
  const uint32_t exp = o & 0x0f800000u;
  o += (127 - 15) << 23;
  if (exp == 0x0f800000u) {
    o += (128 - 16) << 23; /* Inf / NaN */
  } else if (exp == 0) { /* zero / subnormal: renormalize through the FPU */
    o += 1 << 23;
    o = __builtin_bit_cast(uint32_t, __builtin_bit_cast(float, o) - __builtin_bit_cast(float, 113u << 23));
  }
  return __builtin_bit_cast(float, o | (uint32_t)(h & 0x8000) << 16);
}

/* 4 halves (in the low 16 bits of each i32 lane) to 4 floats. */
WG_INLINE v128_t v_f16_to_f32(v128_t h) {
  v128_t o = wasm_i32x4_shl(wasm_v128_and(h, wasm_i32x4_splat(0x7fff)), 13);
  const v128_t exp = wasm_v128_and(o, wasm_i32x4_splat(0x0f800000));
  o = wasm_i32x4_add(o, wasm_i32x4_splat((127 - 15) << 23));
  const v128_t infnan = wasm_i32x4_eq(exp, wasm_i32x4_splat(0x0f800000));
  const v128_t sub = wasm_i32x4_eq(exp, wasm_i32x4_splat(0));
  o = wasm_i32x4_add(o, wasm_v128_and(infnan, wasm_i32x4_splat((128 - 16) << 23)));
  const v128_t renorm = wasm_f32x4_sub(wasm_i32x4_add(o, wasm_i32x4_splat(1 << 23)), wasm_i32x4_splat(113 << 23));
  o = wasm_v128_bitselect(renorm, o, sub);
  return wasm_v128_or(o, wasm_i32x4_shl(wasm_v128_and(h, wasm_i32x4_splat(0x8000)), 16));
}

WG_INLINE uint16_t f32_to_f16(float f) {
  uint32_t x = __builtin_bit_cast(uint32_t, f);
  const uint32_t sign = (x >> 16) & 0x8000;
  x &= 0x7fffffff;
  uint16_t o;
  if (x >= 0x47800000u) {                    /* >= 65536: Inf, or NaN (kept quiet) */
    o = x > 0x7f800000u ? (uint16_t)(0x7e00 | ((x >> 13) & 0x3ff)) : 0x7c00;
  } else if (x < 0x38800000u) {              /* below the smallest normal half: subnormal or zero */
    const float denorm_magic = __builtin_bit_cast(float, ((127 - 15) + (23 - 10) + 1) << 23);
    o = (uint16_t)(__builtin_bit_cast(uint32_t, __builtin_bit_cast(float, x) + denorm_magic) -
                   __builtin_bit_cast(uint32_t, denorm_magic));
  } else {
    const uint32_t odd = (x >> 13) & 1;
    x += ((uint32_t)(15 - 127) << 23) + 0xfff;
    x += odd;
    o = (uint16_t)(x >> 13); /* a carry into the exponent rounds 65520.. up to Inf */
  }
  return (uint16_t)(o | sign);
}

#endif

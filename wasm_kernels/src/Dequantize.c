/* Dequantize: y = (float32(x) - zero_point) * scale for int8, uint8 or float16 x (WG_I8, WG_U8,
 * WG_F16), x viewed as [outer, channels, inner]: per tensor, channels = 1; per channel along 'axis',
 * channels = x.shape[axis] with one scale / zero point each. scale or zero_point 0 (NULL) means 1 / 0. */
#include "half.h"

/* Exactly 4 elements are read (never past the end of x). */
WG_INLINE v128_t load4(const void* x, int dtype, size_t i) {
  if (dtype == WG_F16) return v_f16_to_f32(wasm_u32x4_load16x4((const uint16_t*)x + i));
  if (dtype == WG_I8) return wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(wasm_i16x8_extend_low_i8x16(wasm_v128_load32_zero((const int8_t*)x + i))));
  return wasm_f32x4_convert_i32x4(wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero((const uint8_t*)x + i))));
}

WG_INLINE float load1(const void* x, int dtype, size_t i) {
  if (dtype == WG_F16) return f16_to_f32(((const uint16_t*)x)[i]);
  if (dtype == WG_I8) return (float)((const int8_t*)x)[i];
  return (float)((const uint8_t*)x)[i];
}

WG_EXPORT int wg_Dequantize(const void* x, const float* scale, const float* zero_point, float* y, int32_t dtype,
                            int32_t outer, int32_t channels, int32_t inner) {
  if (outer < 0 || channels < 0 || inner < 0 || (dtype != WG_I8 && dtype != WG_U8 && dtype != WG_F16)) return WG_ERR_ARG;
  size_t i = 0;
  for (int o = 0; o < outer; o++)
    for (int c = 0; c < channels; c++) {
      const float s = scale ? scale[c] : 1.0f, z = zero_point ? zero_point[c] : 0.0f;
      const v128_t vs = wasm_f32x4_splat(s), vz = wasm_f32x4_splat(z);
      const size_t end = i + (size_t)inner;
      if (!scale && !zero_point) { /* plain widening: exact */
        for (; i + 4 <= end; i += 4) wasm_v128_store(y + i, load4(x, dtype, i));
      } else {
        for (; i + 4 <= end; i += 4) wasm_v128_store(y + i, wasm_f32x4_mul(wasm_f32x4_sub(load4(x, dtype, i), vz), vs));
      }
      for (; i < end; i++) y[i] = scale || zero_point ? (load1(x, dtype, i) - z) * s : load1(x, dtype, i);
    }
  return WG_OK;
}

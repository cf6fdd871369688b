/* Cast between float32, int32, float16, int8, uint8 (codes WG_F32.. WG_U8). Floats to integers
 * truncate toward zero; NaN and values outside the target range give 0. float16 narrowing rounds to
 * nearest even and overflows to +-Inf. x and y must not overlap unless the element sizes agree. */
#include "half.h"

WG_INLINE int is_float(int t) { return t == WG_F32 || t == WG_F16; }

WG_INLINE float load_f(const void* x, int t, size_t i) {
  return t == WG_F32 ? ((const float*)x)[i] : f16_to_f32(((const uint16_t*)x)[i]);
}

WG_INLINE int32_t load_i(const void* x, int t, size_t i) {
  return t == WG_I32 ? ((const int32_t*)x)[i] : t == WG_I8 ? ((const int8_t*)x)[i] : ((const uint8_t*)x)[i];
}

WG_INLINE void range(int t, float* lo, float* hi) {
  *lo = t == WG_I32 ? -2147483648.0f : t == WG_I8 ? -128.0f : 0.0f;
  *hi = t == WG_I32 ? 2147483520.0f : t == WG_I8 ? 127.0f : 255.0f; /* 2147483520: the largest float < 2^31 */
}

WG_INLINE void store_i(void* y, int t, size_t i, int32_t v) {
  if (t == WG_I32) ((int32_t*)y)[i] = v;
  else if (t == WG_I8) ((int8_t*)y)[i] = (int8_t)v;
  else ((uint8_t*)y)[i] = (uint8_t)v;
}

WG_EXPORT int wg_Cast(const void* x, void* y, int32_t n, int32_t from, int32_t to) {
  if (n < 0 || from < WG_F32 || from > WG_U8 || to < WG_F32 || to > WG_U8) return WG_ERR_ARG;
  float lo = 0, hi = 0;
  if (!is_float(to)) range(to, &lo, &hi);
  const int32_t ilo = to == WG_I32 ? (int32_t)0x80000000u : to == WG_I8 ? -128 : 0;
  const int32_t ihi = to == WG_I32 ? 0x7fffffff : to == WG_I8 ? 127 : 255;
  for (size_t i = 0; i < (size_t)n; i++) {
    if (is_float(from)) {
      const float v = load_f(x, from, i);
      if (to == WG_F32) ((float*)y)[i] = v;
      else if (to == WG_F16) ((uint16_t*)y)[i] = f32_to_f16(v);
      else {
        const float t = __builtin_truncf(v);
        store_i(y, to, i, (t >= lo && t <= hi) ? (int32_t)t : 0); /* NaN fails both tests */
      }
    } else {
      const int32_t v = load_i(x, from, i);
      if (to == WG_F32) ((float*)y)[i] = (float)v;
      else if (to == WG_F16) ((uint16_t*)y)[i] = f32_to_f16((float)v); /* exact: |v| >= 2^16 is Inf anyway */
      else store_i(y, to, i, (v >= ilo && v <= ihi) ? v : 0);
    }
  }
  return WG_OK;
}

/* MaxMinGrad: the share of g that goes to one side of Maximum (is_min 0) or Minimum (is_min 1), at the
 * broadcast shape: a takes g where a >= b (max) / a <= b (min), b elsewhere, so ties go to a and a
 * NaN on either side sends g to b. Written as g * (0 or 1), like the numpy VJP (so 0 * Inf is NaN).
 * g and dx have the broadcast (output) shape; a and b broadcast to it through the params struct. */
#include "../_elementwise.h"

/* The broadcast walk hands each run its output position only; g sits at the same offset. */
static const float* g_base;
static float* y_base;
static int take_a, minimum;

static void run(const float* a, int sa, const float* b, int sb, float* y, int n) {
  const float* g = g_base + (y - y_base);
  for (int i = 0; i < n; i++) {
    const float av = a[(size_t)i * sa], bv = b[(size_t)i * sb];
    const int to_a = minimum ? av <= bv : av >= bv;
    y[i] = g[i] * (float)(to_a == take_a);
  }
}

WG_EXPORT int wg_MaxMinGrad(const float* g, const float* a, const float* b, float* dx, const wg_broadcast_params* p,
                            int32_t is_min, int32_t side_b) {
  g_base = g;
  y_base = dx;
  take_a = !side_b;
  minimum = is_min != 0;
  return wg_broadcast(a, b, dx, p, run);
}

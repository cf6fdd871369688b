/* AvgPool2D over NHWC x: the divisor counts only the real (unpadded) elements of the window (loop:
 * _pool2d.h). */
#include "_pool2d.h"

WG_EXPORT int wg_AvgPool2D(const float* x, float* y, const wg_pool2d_params* p) { return pool(x, y, p, 0); }

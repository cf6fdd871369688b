/* MaxPool2D over NHWC x: padded positions never win; NaN in a window gives NaN (loop: _pool2d.h). */
#include "_pool2d.h"

WG_EXPORT int wg_MaxPool2D(const float* x, float* y, const wg_pool2d_params* p) { return pool(x, y, p, 1); }

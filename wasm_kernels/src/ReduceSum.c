/* ReduceSum over the axes in axes_mask (walk: _reduce.h). */
#include "_reduce.h"

WG_EXPORT int wg_ReduceSum(const float* x, float* y, const wg_reduce_params* p) { return reduce(x, y, p, R_SUM); }

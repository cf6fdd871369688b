/* ReduceMean over the axes in axes_mask; an empty reduction gives NaN (walk: _reduce.h). */
#include "_reduce.h"

WG_EXPORT int wg_ReduceMean(const float* x, float* y, const wg_reduce_params* p) { return reduce(x, y, p, R_MEAN); }

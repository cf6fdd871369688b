/* ReduceMax over the axes in axes_mask; NaN propagates, an empty reduction gives -Inf (walk: _reduce.h). */
#include "_reduce.h"

WG_EXPORT int wg_ReduceMax(const float* x, float* y, const wg_reduce_params* p) { return reduce(x, y, p, R_MAX); }

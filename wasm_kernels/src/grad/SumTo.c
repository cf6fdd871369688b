/* SumTo: g summed over the axes broadcast away, to `like`'s shape. The caller describes g as the full
 * shape and marks the summed axes (g's leading axes beyond like's rank, and those where like has 1 and
 * g does not): exactly ReduceSum with keepdims (which does not change the data), so it is that kernel. */
#include "../wg.h"

int wg_ReduceSum(const float* x, float* y, const wg_reduce_params* p);

WG_EXPORT int wg_SumTo(const float* g, float* y, const wg_reduce_params* p) { return wg_ReduceSum(g, y, p); }

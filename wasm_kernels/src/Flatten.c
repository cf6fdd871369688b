/* Flatten: the same copy as Reshape (Reshape.c): row-major data does not move. */
#include "wg.h"

int wg_Reshape(const void* x, void* y, int32_t n); /* Reshape.c */

WG_EXPORT int wg_Flatten(const void* x, void* y, int32_t n) { return wg_Reshape(x, y, n); }

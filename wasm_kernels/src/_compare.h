/* The comparison ops (Greater.c ... NotEqual.c): y = 1.0f where the comparison holds, else 0.0f (the op
 * set's float32 mask), with numpy broadcasting through the binary ops' walk (broadcast.c). a and b are
 * both float32 or both int32 (is_int); an int32 operand travels through the float pointers as bits and
 * is compared as int32, never converted. Float comparisons follow IEEE-754 (NaN: false, except !=). */
#ifndef WG_COMPARE_H
#define WG_COMPARE_H
#include "_elementwise.h"

/* An op is the set of outcomes that make it true, flipped by WG_CMP_NOT: Greater = GT, GreaterEqual =
 * GT | EQ, Less = LT, LessEqual = LT | EQ, Equal = EQ, NotEqual = EQ | NOT (so NaN, which is none of
 * GT, LT, EQ, is true only for NotEqual). */
enum { WG_CMP_GT = 1, WG_CMP_LT = 2, WG_CMP_EQ = 4, WG_CMP_NOT = 8 };

/* y = mask(a op b) with numpy broadcasting as p describes (compare.c); WG_ERR_ARG on bad shapes. */
int wg_compare(const float* a, const float* b, float* y, const wg_broadcast_params* p, int32_t is_int, int op);

#endif

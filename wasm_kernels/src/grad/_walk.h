#ifndef WG_GRAD_WALK_H
#define WG_GRAD_WALK_H
/* The reduced-index walk behind SumTo, BroadcastLike and ReduceMaxGrad: a `full` shape and the axes
 * reduced away (axes_mask of wg_reduce_params). Size-1 axes are dropped and neighbouring axes of the
 * same kind merged (as _reduce.h does), then every innermost run is handed to `run` with the offset
 * of its first element in the full array, the offset of its reduced element, its length and whether
 * the run itself is reduced (then the reduced offset stays put along it). */
#include "../wg.h"

typedef struct {
  int m, n, inner_red, count, red_count; /* merged dims, the innermost run, element counts */
  int dims[WG_MAX_RANK], xs[WG_MAX_RANK], ys[WG_MAX_RANK];
} wg_walk;

/* Fills w; returns WG_ERR_ARG for a bad rank or shape, 1 when there is nothing to walk. */
WG_INLINE int walk_init(wg_walk* w, const wg_reduce_params* p) {
  if (p->rank < 0 || p->rank > WG_MAX_RANK) return WG_ERR_ARG;
  int red[WG_MAX_RANK], m = 0;
  w->count = 1;
  w->red_count = 1;
  for (int d = 0; d < p->rank; d++) {
    const int n = p->shape[d], r = (p->axes_mask >> d) & 1;
    if (n < 0) return WG_ERR_ARG;
    w->count *= n;
    if (r) w->red_count *= n;
    if (n == 1) continue;
    if (m > 0 && red[m - 1] == r) {
      w->dims[m - 1] *= n;
    } else {
      w->dims[m] = n;
      red[m++] = r;
    }
  }
  if (w->count == 0) return 1;
  if (m == 0) w->dims[m] = 1, red[m++] = 0;
  for (int d = m - 1, sx = 1, sy = 1; d >= 0; d--) {
    w->xs[d] = sx;
    w->ys[d] = red[d] ? 0 : sy;
    sx *= w->dims[d];
    if (!red[d]) sy *= w->dims[d];
  }
  w->m = m;
  w->n = w->dims[m - 1];
  w->inner_red = red[m - 1];
  return WG_OK;
}

/* Calls RUN(ox, oy) (size_t offsets) for every innermost run of w. */
#define WG_WALK(w, RUN)                                    \
  do {                                                     \
    int idx_[WG_MAX_RANK] = {0};                           \
    size_t ox = 0, oy = 0;                                 \
    for (;;) {                                             \
      RUN;                                                 \
      int d_ = (w).m - 2;                                  \
      for (; d_ >= 0; d_--) {                              \
        ox += (w).xs[d_];                                  \
        oy += (w).ys[d_];                                  \
        if (++idx_[d_] < (w).dims[d_]) break;              \
        ox -= (size_t)(w).xs[d_] * (w).dims[d_];           \
        oy -= (size_t)(w).ys[d_] * (w).dims[d_];           \
        idx_[d_] = 0;                                      \
      }                                                    \
      if (d_ < 0) break;                                   \
    }                                                      \
  } while (0)

#endif

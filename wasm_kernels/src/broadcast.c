/* The broadcast walk of the binary elementwise ops (Add.c ... Minimum.c): see _elementwise.h. */
#include "_elementwise.h"

/* Collapses the broadcast to runs: drops size-1 dims, merges neighbours that stay contiguous for
 * both operands, then walks the outer dims with an odometer. */
int wg_broadcast(const float* a, const float* b, float* y, const wg_broadcast_params* p, wg_binary_run_fn run) {
  const int rank = p->rank;
  if (rank < 0 || rank > WG_MAX_RANK) return WG_ERR_ARG;
  int sa[WG_MAX_RANK], sb[WG_MAX_RANK];
  int ca = 1, cb = 1;
  for (int d = rank - 1; d >= 0; d--) {
    const int o = p->out_shape[d], da = p->a_shape[d], db = p->b_shape[d];
    if ((da != o && da != 1) || (db != o && db != 1) || o < 0) return WG_ERR_ARG;
    sa[d] = da == 1 ? 0 : ca;
    sb[d] = db == 1 ? 0 : cb;
    ca *= da;
    cb *= db;
  }
  int dims[WG_MAX_RANK], xa[WG_MAX_RANK], xb[WG_MAX_RANK], m = 0;
  for (int d = 0; d < rank; d++) {
    const int o = p->out_shape[d];
    if (o == 0) return WG_OK;
    if (o == 1) continue;
    if (m > 0 && xa[m - 1] == sa[d] * o && xb[m - 1] == sb[d] * o) {
      dims[m - 1] *= o;
      xa[m - 1] = sa[d];
      xb[m - 1] = sb[d];
    } else {
      dims[m] = o;
      xa[m] = sa[d];
      xb[m] = sb[d];
      m++;
    }
  }
  if (m == 0) {
    run(a, 0, b, 0, y, 1);
    return WG_OK;
  }
  const int n = dims[m - 1], ia = xa[m - 1], ib = xb[m - 1];
  int idx[WG_MAX_RANK] = {0};
  int oa = 0, ob = 0;
  for (;;) {
    run(a + oa, ia, b + ob, ib, y, n);
    y += n;
    int d = m - 2;
    for (; d >= 0; d--) {
      oa += xa[d];
      ob += xb[d];
      if (++idx[d] < dims[d]) break;
      oa -= xa[d] * dims[d];
      ob -= xb[d] * dims[d];
      idx[d] = 0;
    }
    if (d < 0) return WG_OK;
  }
}

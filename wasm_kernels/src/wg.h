/* webgrad WebAssembly-SIMD kernels: the shared ABI (params structs, codes) and helpers.
 *
 * Every exported kernel is `int wg_<OpName>(...)` and returns WG_OK (0) or a negative WG_ERR_*.
 * Pointers are byte offsets into the module's linear memory; sizes and shapes are int32 element
 * counts; every params struct is a flat run of 4-byte int32/float32 fields (byte offset = 4 * field
 * index), filled from JS with a DataView. The README lists each struct with its offsets; keep the two
 * in step (tests/wasm_harness.py packs the same layouts and the tests check them).
 */
#ifndef WG_H
#define WG_H

#include <stddef.h>
#include <stdint.h>
#include <wasm_simd128.h>

#define WG_EXPORT __attribute__((visibility("default")))
#define WG_INLINE static inline __attribute__((always_inline))
#define WG_NOINLINE static __attribute__((noinline))

#define WG_ABI_VERSION 1
#define WG_MAX_RANK 6

enum { WG_OK = 0, WG_ERR_OOM = -1, WG_ERR_ARG = -2 };

/* The fused activation codes: the op set's "activations.values" in order. */
enum { WG_ACT_NONE, WG_ACT_RELU, WG_ACT_RELU6, WG_ACT_LEAKY_RELU, WG_ACT_SIGMOID, WG_ACT_TANH, WG_ACT_GELU };

/* Data type codes (Cast, Dequantize). */
enum { WG_F32, WG_I32, WG_F16, WG_I8, WG_U8 };

/* ---- params structs (layouts are part of the ABI: README.md) ---- */

typedef struct { /* Add, Sub, Mul, Div, Maximum, Minimum */
  int32_t rank;                  /* 0..6 */
  int32_t out_shape[WG_MAX_RANK];
  int32_t a_shape[WG_MAX_RANK];  /* a's shape right-aligned to rank (left-padded with 1) */
  int32_t b_shape[WG_MAX_RANK];
} wg_broadcast_params;

typedef struct { /* MatMul */
  int32_t M, N, K;
  int32_t transpose_a, transpose_b;
  int32_t b_packed;     /* b is wg_pack_b output (per batch: wg_packed_b_size floats each) */
  int32_t activation;   /* WG_ACT_* */
  float alpha;          /* leaky_relu slope */
  int32_t batch_rank;   /* 0..4 */
  int32_t batch_shape[4];
  int32_t a_batch_shape[4]; /* right-aligned to batch_rank, 1 = broadcast */
  int32_t b_batch_shape[4];
} wg_matmul_params;

typedef struct { /* Conv2D: x NHWC, w HWIO [KH, KW, C/groups, O] */
  int32_t N, H, W, C;
  int32_t OH, OW, O;
  int32_t KH, KW;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left; /* bottom/right padding follows from OH/OW */
  int32_t groups;
  int32_t activation;
  float alpha;
  int32_t w_packed; /* w is wg_pack_conv2d output */
} wg_conv2d_params;

typedef struct { /* MaxPool2D, AvgPool2D */
  int32_t N, H, W, C;
  int32_t OH, OW;
  int32_t KH, KW;
  int32_t stride_h, stride_w;
  int32_t pad_top, pad_left;
} wg_pool2d_params;

typedef struct { /* ReduceSum, ReduceMean, ReduceMax */
  int32_t rank;
  int32_t shape[WG_MAX_RANK];
  int32_t axes_mask; /* bit d set: axis d is reduced */
} wg_reduce_params;

typedef struct { /* Transpose */
  int32_t rank;
  int32_t shape[WG_MAX_RANK]; /* input shape */
  int32_t perm[WG_MAX_RANK];
} wg_transpose_params;

typedef struct { /* Slice: starts/steps resolved (clamped, >= 0 / > 0) for every axis */
  int32_t rank;
  int32_t in_shape[WG_MAX_RANK];
  int32_t out_shape[WG_MAX_RANK];
  int32_t starts[WG_MAX_RANK];
  int32_t steps[WG_MAX_RANK];
} wg_slice_params;

/* The layouts JS fills (README.md lists every field's byte offset). */
_Static_assert(sizeof(wg_broadcast_params) == 76, "wg_broadcast_params is ABI");
_Static_assert(sizeof(wg_matmul_params) == 84 && offsetof(wg_matmul_params, alpha) == 28 &&
               offsetof(wg_matmul_params, b_batch_shape) == 68, "wg_matmul_params is ABI");
_Static_assert(sizeof(wg_conv2d_params) == 76 && offsetof(wg_conv2d_params, groups) == 60 &&
               offsetof(wg_conv2d_params, alpha) == 68, "wg_conv2d_params is ABI");
_Static_assert(sizeof(wg_pool2d_params) == 48, "wg_pool2d_params is ABI");
_Static_assert(sizeof(wg_reduce_params) == 32, "wg_reduce_params is ABI");
_Static_assert(sizeof(wg_transpose_params) == 52, "wg_transpose_params is ABI");
_Static_assert(sizeof(wg_slice_params) == 100 && offsetof(wg_slice_params, steps) == 76, "wg_slice_params is ABI");

/* ---- vector helpers ---- */

#ifdef WG_RELAXED
#define wg_madd(a, b, c) wasm_f32x4_relaxed_madd((a), (b), (c)) /* a * b + c, fused where the CPU can */
#else
#define wg_madd(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

#define wg_splat wasm_f32x4_splat

WG_INLINE float wg_hsum(v128_t v) {
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}

WG_INLINE float wg_hmax(v128_t v) { /* NaN-propagating */
  v = wasm_f32x4_max(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_max(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(v, 0);
}

WG_INLINE float wg_fmax_nan(float m, float x) { return (x > m || x != x) ? x : m; } /* NaN sticks */

/* ---- shared internals (runtime.c, activation.c, MatMul.c) ---- */

void* wg_alloc(uint32_t bytes);
uint32_t wg_mark(void);
void wg_reset(uint32_t mark);

/* y[r * ld + c] = act(y[...]) for r < rows, c < cols. */
void wg_act_rows(float* y, int rows, int cols, int ld, int act, float alpha);
static inline void wg_act(float* y, int n, int act, float alpha) {
  if (act != WG_ACT_NONE) wg_act_rows(y, 1, n, n, act, alpha);
}

/* GEMM core: C[M, N] (row stride ldc) = act(A @ B + bias), on MR x 8 tiles. With relaxed madd
 * (one fused instruction per multiply-add) a 6x8 tile fits x86's 16 vector registers (12
 * accumulators, 2 of B, 1 of A; V8 keeps one as scratch); mul + add needs a temporary, so the SIMD128
 * build uses 5x8 (10 accumulators) and does not spill. */
#ifdef WG_RELAXED
#define WG_MR 6
#else
#define WG_MR 5
#endif
#define WG_NR 8

/* Writes rows [i0, i0 + rows) of A as ceil(rows / WG_MR) panels of [K][WG_MR] floats (zero-filled
 * past `rows`). */
typedef void (*wg_pack_a_fn)(const void* ctx, int i0, int rows, int K, float* dst);

typedef struct {
  int M, N, K;
  wg_pack_a_fn pack_a;
  const void* a_ctx;
  const float* a_row; /* M = 1 only: A as one contiguous row of K floats, or NULL to use pack_a */
  /* B: panel j (columns 8j..8j+7) row k is at b + j * b_panel_stride + k * b_ldb. A partial last
   * panel is read from b_edge (packed, row stride WG_NR) when b_edge is set. */
  const float* b;
  int b_ldb, b_panel_stride;
  const float* b_edge;
  float* c;
  int ldc;
  const float* bias; /* [N] or NULL */
  int act;
  float alpha;
} wg_gemm_args;

int wg_gemm(const wg_gemm_args* g);

/* A as a strided matrix: element (i, k) at a[i * rs + k * ks]; wg_pack_a_strided is its pack_a. */
typedef struct {
  const float* a;
  int rs, ks;
} wg_strided_a;
void wg_pack_a_strided(const void* ctx, int i0, int rows, int K, float* dst);
/* One A panel from row pointers: d[k * WG_MR + r] = rows[r][k] for k < len, 0 where rows[r] is NULL
 * or r >= mr (4 x 4 transposes in registers). */
void wg_pack_rows(const float* const* rows, int mr, int len, float* d);
/* Packs a K x N block (element (k, n) at src[k * rs + n * cs]) into panels of [K][WG_NR]. */
void wg_pack_b_strided(const float* src, int K, int N, int rs, int cs, float* dst);
uint32_t wg_packed_b_floats(int K, int N);
/* Sets g->b/b_ldb/b_panel_stride/b_edge for a row-major K x N B with row stride ldb; packs it (or
 * just its ragged edge) into scratch from wg_alloc as worthwhile. Returns WG_ERR_OOM on failure. */
int wg_gemm_set_b(wg_gemm_args* g, const float* b, int ldb, int transposed);

#endif

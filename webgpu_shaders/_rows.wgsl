// ---- row walks and workgroup reductions (webgpu_shaders/_rows.wgsl) --------------------------------
// One workgroup per row: a row is a group of n elements of x reduced together (a reduction's output
// element, a softmax row, a layer-norm group). programs/_rows.js collapses both walks: the outer walk
// numbers the rows, the inner walk the elements of a row, each with its shape and x strides.
struct Params {
  rows: u32, n: u32, outer_rank: u32, inner_rank: u32,
  epsilon: f32, _p0: u32, _p1: u32, _p2: u32,
  outer_lo: vec4<u32>, outer_hi: vec4<u32>, outer_s_lo: vec4<u32>, outer_s_hi: vec4<u32>,
  inner_lo: vec4<u32>, inner_hi: vec4<u32>, inner_s_lo: vec4<u32>, inner_s_hi: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;

override WG_X: u32 = 256u; // a power of two <= 256 (the size of `partial`)

var<workgroup> partial: array<f32, 256>;

fn walk(i: u32, rank: u32, lo: vec4<u32>, hi: vec4<u32>, s_lo: vec4<u32>, s_hi: vec4<u32>) -> u32 {
  var rem = i;
  var off = 0u;
  for (var d = rank; d > 0u; d--) {
    let s = at8(lo, hi, d - 1u);
    off += (rem % s) * at8(s_lo, s_hi, d - 1u);
    rem = rem / s;
  }
  return off;
}
// Offset in x of the first element of row `row`, and of element r of a row from there.
fn row_base(row: u32) -> u32 { return walk(row, params.outer_rank, params.outer_lo, params.outer_hi, params.outer_s_lo, params.outer_s_hi); }
fn elem(r: u32) -> u32 { return walk(r, params.inner_rank, params.inner_lo, params.inner_hi, params.inner_s_lo, params.inner_s_hi); }

fn max_nan(u: f32, v: f32) -> f32 { // NaN wins (WGSL max() is implementation-defined for NaN)
  if (is_nan(u) || is_nan(v)) { return select(v, u, is_nan(u)); }
  return select(v, u, u >= v);
}

// Tree reductions over the workgroup; every invocation gets the result. Call from uniform control flow.
fn workgroup_sum(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var s = WG_X / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { partial[lid] = partial[lid] + partial[lid + s]; }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}
fn workgroup_max(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var s = WG_X / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { partial[lid] = max_nan(partial[lid], partial[lid + s]); }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}
// -------------------------------------------------------------------------------------------------

// ---- shared indexing (webgpu_shaders/_grid.wgsl) ---------------------------------------------------
// The linear workgroup index of a 1-D range folded into x * y (programs/_dispatch.js) because one
// dimension may hold at most maxComputeWorkgroupsPerDimension groups.
fn group_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return wid.x + wid.y * nwg.x; }
// Entry i of a rank-8 vector passed as two vec4s (shapes, strides).
fn at8(lo: vec4<u32>, hi: vec4<u32>, i: u32) -> u32 { if (i < 4u) { return lo[i]; } return hi[i - 4u]; }
// -------------------------------------------------------------------------------------------------

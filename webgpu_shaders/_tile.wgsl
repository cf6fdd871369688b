// ---- the 64 x 64 output tile of MatMul and Conv2D (webgpu_shaders/_tile.wgsl) ------------------------
// 16 x 16 invocations, each accumulating a 4 x 4 block (rows ty*4.., columns tx*4..) over K steps of 16
// that the caller loads into As (a, [k][m] as vec4s along m) and Bs (b, [k][n] as vec4s along n).
var<workgroup> As: array<vec4<f32>, 256>;
var<workgroup> Bs: array<vec4<f32>, 256>;
var<private> acc: array<vec4<f32>, 4>;

fn tile_step(tx: u32, ty: u32) {
  for (var k = 0u; k < 16u; k++) {
    let av = As[k * 16u + ty];
    let bv = Bs[k * 16u + tx];
    acc[0] += av.x * bv;
    acc[1] += av.y * bv;
    acc[2] += av.z * bv;
    acc[3] += av.w * bv;
  }
}
// -------------------------------------------------------------------------------------------------

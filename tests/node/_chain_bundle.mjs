// A synthetic bundle for scale tests (not a test file itself): a chain of `n` element-wise nodes
// (Relu, Tanh, Relu, ...) from a [null, 4] float32 input, no weights, with a self-test computed here.

/** The bundle as an in-memory map {'model.json': string} with `n` nodes. */
export function chainBundle(n) {
  const nodes = [];
  let prev = 'x';
  for (let i = 0; i < n; i++) {
    const op = i % 2 ? 'Tanh' : 'Relu';
    const out = `t${i}`;
    nodes.push({ name: `n${i}`, op, inputs: [prev], outputs: [out], attrs: {} });
    prev = out;
  }
  const x = Float32Array.from([-1.5, -0.25, 0.5, 2]);
  // relu then tanh, repeated: after the first relu and tanh every value is in [0, 1) and stays a fixed
  // point of relu; tanh is applied once per two nodes
  let y = Float32Array.from(x);
  for (let i = 0; i < n; i++) y = y.map((v) => (i % 2 ? Math.fround(Math.tanh(v)) : Math.max(0, v)));
  const b64 = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  const doc = {
    format: 'webgrad-bundle',
    formatVersion: 1,
    opsetVersion: 1,
    producer: { name: 'chain_bundle', version: '0' },
    signature: {
      inputs: [{ name: 'x', dtype: 'float32', shape: [null, 4] }],
      outputs: [{ name: prev, dtype: 'float32', shape: [null, 4] }],
    },
    graph: { nodes },
    weights: { shards: [], tensors: [] },
    metadata: {},
    selftest: {
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 4], data: b64(x) }],
      outputs: [{ name: prev, dtype: 'float32', shape: [1, 4], data: b64(y) }],
      tolerance: { rtol: 1e-3, atol: 1e-3 },
    },
  };
  return { 'model.json': JSON.stringify(doc) };
}

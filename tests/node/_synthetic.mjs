// Small synthetic bundles made in JS (no Python fixtures needed): a graph, its float32 weights and a
// self-test, packed as an in-memory map {'model.json': object, 'weights-000.bin': Uint8Array}.

import { createHash } from 'node:crypto';

const ALIGN = 16;

/** Base64 of a Float32Array's little-endian bytes. */
function base64(f32) {
  return Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength).toString('base64');
}

/**
 * A bundle of one shard. `weights`: {name: {data: Float32Array, shape}}; `selftest`: {inputs: [{name,
 * shape, data}], outputs: [...]} with Float32Array data.
 */
export function syntheticBundle({ inputs, outputs, nodes, weights = {}, selftest, metadata = {} }) {
  const tensors = [];
  let offset = 0;
  for (const [name, w] of Object.entries(weights)) {
    tensors.push({ name, dtype: 'float32', shape: w.shape, offset, byteLength: w.data.byteLength });
    offset += Math.ceil(w.data.byteLength / ALIGN) * ALIGN;
  }
  const shard = new Uint8Array(offset);
  Object.values(weights).forEach((w, i) =>
    shard.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), tensors[i].offset),
  );
  const encode = (t) => ({ name: t.name, dtype: 'float32', shape: t.shape, data: base64(t.data) });
  const model = {
    format: 'webgrad-bundle',
    formatVersion: 1,
    opsetVersion: 1,
    producer: { name: 'synthetic', version: '0' },
    signature: { inputs, outputs },
    graph: { nodes },
    weights: {
      shards: [
        {
          file: 'weights-000.bin',
          byteLength: shard.byteLength,
          sha256: createHash('sha256').update(shard).digest('hex'),
        },
      ],
      tensors,
    },
    selftest: {
      inputs: selftest.inputs.map(encode),
      outputs: selftest.outputs.map(encode),
      tolerance: { atol: 1e-4, rtol: 1e-3 },
    },
    metadata,
  };
  return { 'model.json': model, 'weights-000.bin': shard };
}

/** y = x @ W for x [null, rows], W [rows, cols] of the given values; the self-test feeds ones. */
export function matmulBundle(rows, cols, values = (i) => Math.sin(i), metadata = {}) {
  const W = Float32Array.from({ length: rows * cols }, (_, i) => values(i));
  const ones = new Float32Array(rows).fill(1);
  const expect = new Float32Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect[c] += W[r * cols + c];
  return syntheticBundle({
    inputs: [{ name: 'x', dtype: 'float32', shape: [null, rows] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [null, cols] }],
    nodes: [{ name: 'y', op: 'MatMul', inputs: ['x', 'W'], outputs: ['y'], attrs: {} }],
    weights: { W: { data: W, shape: [rows, cols] } },
    selftest: {
      inputs: [{ name: 'x', shape: [1, rows], data: ones }],
      outputs: [{ name: 'y', shape: [1, cols], data: expect }],
    },
    metadata,
  });
}

/**
 * `webgrad conformance`: runs the shared op test vectors (made by the numpy reference, see the
 * repository's tests/vectors/) on each backend through the executor — a one-node graph per case, the
 * inputs as graph inputs — and reports, per op and backend, the largest error seen relative to the
 * case's tolerance, and whether every case passed. A file's `rejects` (inputs the op's shape rule must
 * refuse) are run the same way: such a case passes only when the backend throws a WebgradError with the
 * listed code (`ESHAPE`) before any kernel runs. Node.js only (reads the vector files).
 * @module
 */

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WebgradError } from '../errors.js';
import { getBackend, checkBackend } from '../backends/index.js';
import { Executor, supportsOp } from '../executor.js';
import { Tensor } from '../tensor.js';
import { halfToFloat } from '../dtypes.js';
import { OPSET } from '../opset.js';

/** @typedef {import('../dtypes.js').DType} DType */
/** @typedef {{rtol: number, atol: number}} Tolerance */
/**
 * One cell of the matrix: `status` 'pass' | 'fail' | 'error' | 'skip'; `cases` the cases run, `rejects`
 * the rejects checked; `maxAbs` the largest |got - want| over finite elements; `worst` the largest
 * |got - want| / (atol + rtol |want|) (≤ 1 passes).
 * @typedef {{status: 'pass' | 'fail' | 'error' | 'skip', cases: number, rejects: number, maxAbs: number, worst: number,
 *   message?: string}} Cell
 */

/**
 * The result: `cells[backend][op]`; `unavailable[backend]` says why a backend was not run.
 * @typedef {{ops: string[], backends: string[], cells: Record<string, Record<string, Cell>>, unavailable: Record<string, string>}} Matrix
 */

const TYPED = { float32: Float32Array, int32: Int32Array, int8: Int8Array, uint8: Uint8Array, float16: Uint16Array };

/**
 * Decodes a vector tensor `{dtype, shape, data: base64 little-endian}`.
 * @param {{dtype: DType, shape: number[], data: string}} t
 * @returns {Tensor}
 */
export function decodeVectorTensor(t) {
  const Typed = Object.prototype.hasOwnProperty.call(TYPED, t.dtype) ? TYPED[t.dtype] : undefined;
  if (!Typed) throw new WebgradError('EARG', `vector tensor: unknown dtype ${t.dtype}`);
  const bytes = Uint8Array.from(atob(t.data), (c) => c.charCodeAt(0));
  return new Tensor(new Typed(bytes.buffer), t.shape, t.dtype);
}

/**
 * Every vector file in `dir`, parsed, by op name.
 * @param {string} dir
 * @returns {Promise<{op: string, cases: any[], rejects?: any[]}[]>}
 */
export async function readVectors(dir) {
  let files;
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch (e) {
    throw new WebgradError(
      'EARG',
      `conformance: cannot read the vector directory ${dir}: ${/** @type {Error} */ (e).message}`,
    );
  }
  if (!files.length) throw new WebgradError('EARG', `conformance: no vector files (*.json) in ${dir}`);
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))));
}

/**
 * Compares `got` with `want` within `tol`: NaN must be NaN, an infinity the same infinity.
 * @param {ArrayLike<number>} got @param {ArrayLike<number>} want @param {Tolerance} tol
 * @returns {{ok: boolean, maxAbs: number, worst: number, at: number}}
 */
export function compare(got, want, tol) {
  let maxAbs = 0;
  let worst = 0;
  let at = -1;
  if (got.length !== want.length) return { ok: false, maxAbs: Infinity, worst: Infinity, at: 0 };
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    let r;
    if (Number.isNaN(w)) r = Number.isNaN(g) ? 0 : Infinity;
    else if (!Number.isFinite(w)) r = g === w ? 0 : Infinity;
    else {
      const d = Math.abs(g - w);
      if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : d;
      const bound = tol.atol + tol.rtol * Math.abs(w);
      r = Number.isNaN(d) ? Infinity : bound > 0 ? d / bound : d > 0 ? Infinity : 0;
    }
    if (r > worst) {
      worst = r;
      at = i;
    }
  }
  return { ok: worst <= 1, maxAbs, worst, at };
}

/**
 * Runs a one-node graph of `op` on a backend instance, the vector's inputs as graph inputs.
 * @param {import('../backends/interface.js').Backend} backend
 * @param {string} op
 * @param {any} c a case or reject: {name, attrs, inputs}
 * @param {{dtype: DType, shape: readonly number[]}} output the declared output
 * @returns {Promise<Tensor>}
 */
async function runNode(backend, op, c, output) {
  const tensors = c.inputs.map((/** @type {any} */ t) => (t === null ? null : decodeVectorTensor(t)));
  const names = tensors.map((/** @type {Tensor | null} */ t, /** @type {number} */ i) => (t === null ? '' : `in${i}`));
  while (names.length && names[names.length - 1] === '') names.pop();
  const present = /** @type {Tensor[]} */ (tensors.filter((/** @type {Tensor | null} */ t) => t !== null));
  const graph = {
    inputs: present.map((t, i) => ({ name: names.filter(Boolean)[i], dtype: t.dtype, shape: t.shape })),
    outputs: [{ name: 'y', dtype: output.dtype, shape: output.shape }],
    nodes: [{ name: op, op, inputs: names, outputs: ['y'], attrs: c.attrs }],
  };
  const executor = new Executor(graph, backend.prepareWeights(new Map(), graph.nodes), backend);
  try {
    const [y] = await executor.run(present);
    return new Tensor(await y.data(), y.shape, y.dtype);
  } finally {
    executor.dispose();
  }
}

/**
 * Runs one vector case on a backend instance through a one-node graph.
 * @param {import('../backends/interface.js').Backend} backend
 * @param {string} op
 * @param {any} c a case: {name, attrs, inputs, expected, tolerance}
 * @returns {Promise<{got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance}>}
 */
async function runCase(backend, op, c) {
  const want = decodeVectorTensor(c.expected[0]);
  const y = await runNode(backend, op, c, want);
  const exact = want.dtype === 'int32' || want.dtype === 'int8' || want.dtype === 'uint8';
  const half = (/** @type {ArrayLike<number>} */ a) => (want.dtype === 'float16' ? Array.from(a, halfToFloat) : a);
  return { got: half(y.dataSync()), want: half(want.dataSync()), tol: exact ? { rtol: 0, atol: 0 } : c.tolerance };
}

/**
 * Runs one reject (inputs the op's shape rule must refuse): undefined when the backend threw the
 * reject's code, else what happened instead.
 * @param {import('../backends/interface.js').Backend} backend
 * @param {string} op
 * @param {any} r a reject: {name, attrs, inputs, error}
 * @returns {Promise<string | undefined>}
 */
async function runReject(backend, op, r) {
  try {
    // the declared output is a placeholder: the shape rule refuses the node before it matters
    await runNode(backend, op, r, { dtype: 'float32', shape: [1] });
  } catch (e) {
    if (e instanceof WebgradError && e.code === r.error) return undefined;
    return `expected ${r.error}, got ${e instanceof WebgradError ? e.code : 'an error without a code'}: ${/** @type {Error} */ (e).message}`;
  }
  return `expected ${r.error}, but it ran`;
}

/**
 * The op × backend matrix over the vectors in `dir`.
 * @param {string} dir the vector directory (tests/vectors in the repository)
 * @param {string[]} backends backend names
 * @param {{ops?: string[], backendOptions?: import('../backends/interface.js').BackendOptions}} [options] only these
 *   ops; options for the backends (e.g. `gpu` for webgpu in Node.js)
 * @returns {Promise<Matrix>}
 */
export async function conformance(dir, backends, options = {}) {
  const docs = (await readVectors(dir)).filter((d) => !options.ops || options.ops.includes(d.op));
  /** @type {Record<string, Record<string, Cell>>} */
  const cells = {};
  /** @type {Record<string, string>} */
  const unavailable = {};
  for (const name of backends) {
    cells[name] = {};
    getBackend(name); // unknown names fail here, with the registered ones listed
    const a = await checkBackend(name, options.backendOptions);
    if (!a.available) {
      unavailable[name] = a.reason;
      continue;
    }
    const backend = await getBackend(name).create(options.backendOptions);
    try {
      for (const doc of docs) {
        if (!supportsOp(backend, doc.op) && !['Reshape', 'Flatten'].includes(doc.op)) {
          cells[name][doc.op] = {
            status: 'skip',
            cases: 0,
            rejects: 0,
            maxAbs: 0,
            worst: 0,
            message: `no ${name} kernel for ${doc.op}`,
          };
          continue;
        }
        /** @type {Cell} */
        const cell = { status: 'pass', cases: 0, rejects: 0, maxAbs: 0, worst: 0 };
        for (const c of doc.cases) {
          try {
            const { got, want, tol } = await runCase(backend, doc.op, c);
            const r = compare(got, want, tol);
            cell.cases++;
            cell.maxAbs = Math.max(cell.maxAbs, r.maxAbs);
            cell.worst = Math.max(cell.worst, r.worst);
            if (!r.ok && cell.status === 'pass') {
              cell.status = 'fail';
              cell.message = `${c.name}: element ${r.at}: got ${got[r.at]}, want ${want[r.at]} (tolerance ${JSON.stringify(tol)})`;
            }
          } catch (e) {
            cell.status = 'error';
            cell.message = `${c.name}: ${/** @type {Error} */ (e).message}`;
            break;
          }
        }
        for (const r of doc.rejects ?? []) {
          const wrong = await runReject(backend, doc.op, r);
          cell.rejects++;
          if (wrong && cell.status === 'pass') {
            cell.status = 'fail';
            cell.message = `${r.name} (a reject): ${wrong}`;
          }
        }
        cells[name][doc.op] = cell;
      }
    } finally {
      backend.dispose();
    }
  }
  const ops = Object.keys(OPSET.ops).filter((op) => docs.some((d) => d.op === op));
  return { ops, backends, cells, unavailable };
}

/**
 * The matrix as a markdown table: per cell the max abs error and the share of the tolerance used, ✗ for
 * a failure, — for a skip.
 * @param {Matrix} m
 * @returns {string}
 */
export function formatMatrix(m) {
  const cell = (/** @type {Cell} */ c) => {
    if (!c || c.status === 'skip') return '—';
    if (c.status === 'error') return 'error';
    // the absolute error, and how much of the op's tolerance (atol + rtol |want|) the worst element used:
    // large outputs (Exp near 88) have large absolute errors well inside a relative tolerance
    const e =
      c.maxAbs === 0 ? '0' : `${c.maxAbs.toExponential(1)} (${c.worst < 0.01 ? '<1' : Math.round(c.worst * 100)}% tol)`;
    return c.status === 'pass' ? e : `✗ ${e}`;
  };
  const lines = [`| op | ${m.backends.join(' | ')} |`, `| --- | ${m.backends.map(() => '---').join(' | ')} |`];
  for (const op of m.ops) lines.push(`| ${op} | ${m.backends.map((b) => cell(m.cells[b]?.[op])).join(' | ')} |`);
  /** @type {string[]} */
  const notes = [];
  for (const b of m.backends) {
    if (m.unavailable[b]) notes.push(`${b}: not run: ${m.unavailable[b]}`);
    for (const op of m.ops) {
      const c = m.cells[b][op];
      if (c && c.status !== 'pass') notes.push(`${b} ${op} (${c.status}): ${c.message}`);
    }
  }
  return [...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

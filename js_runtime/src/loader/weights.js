/**
 * The weights of a bundle: the shards (present, of their byteLength, with their SHA-256), concatenated
 * into the one byte stream the tensor offsets index; then each tensor checked (dtype, size, byte range,
 * quantization) and checked for NaN/Inf. Mirrors the checks of exporter/bundle_reader.py. A float16 or
 * int8_symmetric weight keeps its stored form (`stored`) for a backend that computes on it (wasm); its
 * float32 `data` is dequantized on first read, once, and the stored form is dropped then (one copy
 * at a time on the JS heap).
 * @module
 */

import { WebgradError, throwIfAborted } from '../errors.js';
import { STORAGE, itemSize } from '../dtypes.js';
import { sizeOf } from '../shapes.js';
import { dequantizeInto } from '../math/dequantize.js';
import { sha256Hex } from './sha256.js';

/** @typedef {import('./manifest.js').Manifest} Manifest */
/** @typedef {import('./manifest.js').TensorJson} TensorJson */
/** @typedef {import('./source.js').Source} Source */
/** @typedef {import('../backends/interface.js').View} View */

/**
 * A weight as stored in the bundle, for backends that compute on it: int8 (with one float32 scale per
 * channel along `axis`, the last one in bundles the exporter writes) or float16 (raw half bits; `scales`
 * and `axis` null).
 * @typedef {{dtype: 'int8' | 'float16', data: Int8Array | Uint16Array, scales: Float32Array | null,
 *   axis: number | null}} StoredWeight
 */
/** @typedef {View & {stored?: StoredWeight}} LoadedWeight a weight as readTensors returns it */

/** Stored dtype of a weight -> the quantization scheme it needs (null: stored as is). */
const STORED = /** @type {Readonly<Record<string, string | null>>} */ ({
  float32: null,
  int32: null,
  float16: 'float16',
  int8: 'int8_symmetric',
});

/** The first shard's name in every bundle that has weights (the format numbers them from 000). */
const FIRST_SHARD = 'weights-000.bin';

/**
 * @typedef {object} EarlyShard
 * @property {string} file
 * @property {Promise<Uint8Array | null>} result the bytes, or null if the read failed or found nothing
 * @property {() => WebgradError | null} failure why the read stopped, when that is also what reading
 *   the file again would find: it ran past `maxBytes` (so past any size model.json may declare) or
 *   stalled past `timeoutMs`
 * @property {(onBytes: (bytes: number) => void, byteLength: number) => void} follow reports the chunks
 *   read so far, then each as it arrives, and caps the read at the shard's declared `byteLength`
 * @property {() => void} cancel stops the read (when the load fails before using it)
 */

/**
 * The ESHARD_SIZE error of a shard that is longer than model.json says.
 * @param {string} where @param {number} declared @param {number} got bytes read before stopping
 */
function tooLong(where, declared, got) {
  return new WebgradError(
    'ESHARD_SIZE',
    `${where}: shard too long: model.json says ${declared} bytes, the file has at least ${got} (read stopped there)`,
  );
}

/**
 * Starts reading the first shard before model.json is parsed, so that over a network the two requests
 * share one round trip (on a local disk it makes no measurable difference). Nothing is reported from
 * here: a failed or missing read gives null, and readShards then reads the file itself (and reports
 * what is wrong with it, in order); progress is held until readShards follows the read. Until then
 * the read is capped at `maxBytes` (no shard may be longer), after at the shard's declared size.
 * @param {Source} source
 * @param {AbortSignal | undefined} signal
 * @param {{maxBytes: number, timeoutMs: number}} limits
 * @returns {EarlyShard}
 */
export function readFirstShardEarly(source, signal, { maxBytes, timeoutMs }) {
  /** @type {number[]} */
  const held = [];
  /** @type {((bytes: number) => void) | null} */
  let listener = null;
  let cap = maxBytes;
  let declared = -1; // unknown until readShards follows the read
  let over = 0; // bytes read when the cap stopped the read
  /** @type {WebgradError | null} */
  let stalled = null;
  // its own signal, aborted by the caller's or by cancel()
  const own = new AbortController();
  const forward = () => own.abort(signal?.reason);
  if (signal?.aborted) forward();
  else signal?.addEventListener('abort', forward, { once: true });
  const check = (/** @type {number} */ total) => {
    if (total <= cap) return;
    over = total;
    throw declared >= 0
      ? tooLong(source.describe(FIRST_SHARD), declared, total)
      : new WebgradError('ELIMIT', `${source.describe(FIRST_SHARD)}: longer than maxBytes (${maxBytes})`);
  };
  const result = source
    .read(FIRST_SHARD, {
      signal: own.signal,
      check,
      timeoutMs,
      onBytes: (n) => (listener ? listener(n) : held.push(n)),
    })
    .then(
      (bytes) => bytes ?? null,
      (e) => {
        if (e instanceof WebgradError && e.code === 'ELIMIT' && !over) stalled = e;
        return null;
      },
    );
  result.then(() => signal?.removeEventListener('abort', forward));
  return {
    file: FIRST_SHARD,
    result,
    failure: () => (over ? tooLong(source.describe(FIRST_SHARD), declared, over) : stalled),
    follow(onBytes, byteLength) {
      declared = byteLength;
      cap = byteLength;
      listener = onBytes;
      for (const n of held.splice(0)) onBytes(n);
    },
    cancel: () => own.abort(),
  };
}

/**
 * Reads every shard and checks its size; the SHA-256 of each runs in the background (WebCrypto hashes
 * off the main thread) while the next shard is read and, in `loadModel`, while the tensors are read.
 * `verified` settles once every checksum is checked: await it before reporting anything about the
 * weights (a corrupted shard explains any later error) and before using them. No read goes past a
 * shard's declared size (ESHARD_SIZE as soon as it does).
 * @param {Source} source
 * @param {Manifest['weights']['shards']} shards
 * @param {{signal?: AbortSignal, onBytes: (file: string, bytes: number) => void, early?: EarlyShard,
 *   timeoutMs?: number}} options
 *   `early`: the first shard, read ahead by {@link readFirstShardEarly} (used if it is the one listed first)
 * @returns {Promise<{data: Uint8Array, verified: Promise<void>}>} the concatenated weight data
 */
export async function readShards(source, shards, { signal, onBytes, early, timeoutMs }) {
  /** @type {Promise<void>[]} */
  const checks = [];
  const allChecked = () => Promise.all(checks).then(() => undefined);
  /** @type {Uint8Array[]} */
  const parts = [];
  try {
    for (const [i, s] of shards.entries()) {
      const where = source.describe(s.file);
      let raw = null;
      throwIfAborted(signal, `reading ${where}`);
      if (i === 0 && early?.file === s.file) {
        early.follow((n) => onBytes(s.file, n), s.byteLength); // progress from here on, now that the total is known
        raw = await early.result;
        throwIfAborted(signal, `reading ${where}`);
        const failure = early.failure();
        if (failure) throw failure;
      }
      const check = (/** @type {number} */ total) => {
        if (total > s.byteLength) throw tooLong(where, s.byteLength, total);
      };
      raw ??= await source.read(s.file, { signal, check, timeoutMs, onBytes: (n) => onBytes(s.file, n) });
      throwIfAborted(signal, `reading ${where}`);
      if (raw === null)
        throw new WebgradError(
          'ESHARD_MISSING',
          `${where}: missing shard (model.json lists it with ${s.byteLength} bytes)`,
        );
      if (raw.byteLength !== s.byteLength) {
        const what = raw.byteLength < s.byteLength ? 'truncated shard' : 'shard too long';
        throw new WebgradError(
          'ESHARD_SIZE',
          `${where}: ${what}: model.json says ${s.byteLength} bytes, the file has ${raw.byteLength}`,
        );
      }
      const digest = checkDigest(raw, s.sha256, where);
      digest.catch(() => {}); // awaited below or by the caller; never unhandled
      checks.push(digest);
      parts.push(raw);
    }
  } catch (e) {
    await allChecked(); // an earlier shard's checksum error comes first, as if read in order
    throw e;
  }
  const verified = allChecked().then(() => throwIfAborted(signal, 'checking the shards'));
  verified.catch(() => {});
  return { data: concatOwned(parts), verified };
}

/**
 * @param {Uint8Array} raw @param {string} want @param {string} where
 * @returns {Promise<void>}
 */
async function checkDigest(raw, want, where) {
  const digest = await sha256Hex(raw);
  if (digest !== want) {
    throw new WebgradError(
      'ECHECKSUM',
      `${where}: sha256 mismatch: model.json says ${want}, the file hashes to ${digest} (corrupted or replaced)`,
    );
  }
}

/**
 * The parts as one array at offset 0 of its own buffer (the tensor offsets index it); a single part
 * that already is one is used as is (readTensors copies what it keeps, so the caller's bytes are never
 * aliased by the weights).
 * @param {Uint8Array[]} parts
 */
function concatOwned(parts) {
  if (parts.length === 1 && parts[0].byteOffset === 0 && parts[0].buffer instanceof ArrayBuffer) return parts[0];
  const data = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.byteLength;
  }
  return data;
}

/**
 * @param {TensorJson} t
 * @param {string} where
 */
function checkQuantization(t, where) {
  const need = STORED[t.dtype];
  const have = t.quantization ? t.quantization.scheme : null;
  if (need === undefined) {
    throw new WebgradError(
      'ETENSOR',
      `${where}: tensor '${t.name}': dtype ${t.dtype} cannot be a weight; expected one of ${Object.keys(STORED).join(', ')}`,
    );
  }
  if (have !== need) {
    const expect = need ? `quantization scheme '${need}'` : 'no quantization (float32 and int32 are stored as is)';
    throw new WebgradError(
      'ETENSOR',
      `${where}: tensor '${t.name}': stored dtype ${t.dtype} with ${have ? `scheme '${have}'` : 'no quantization'}; expected ${expect}`,
    );
  }
  if (t.quantization?.scheme === 'int8_symmetric') {
    const { axis, scales } = t.quantization;
    if (axis >= t.shape.length || scales.length !== t.shape[axis]) {
      throw new WebgradError(
        'ETENSOR',
        `${where}: tensor '${t.name}' of shape [${t.shape.join(', ')}]: int8 axis ${axis} needs one scale per channel along an existing axis; got ${scales.length} scales`,
      );
    }
    if (!scales.every((s) => Number.isFinite(Math.fround(s)) && Math.fround(s) > 0)) {
      throw new WebgradError(
        'ETENSOR',
        `${where}: tensor '${t.name}': int8 scales must be finite positive float32 values`,
      );
    }
  }
}

/**
 * The multi-index of flat index `i` in `shape`, as '(a, b, c)'.
 * @param {number} i @param {readonly number[]} shape
 */
function indexOf(i, shape) {
  const out = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    out.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return `(${out.join(', ')})`;
}

/**
 * The index of the first NaN or infinity in `v`, or -1: a loop over the bits. Run once at load, it
 * starts interpreted: ~1.3 ms before V8 has optimized it, then ~1.8 ns per value (Node 20, this
 * machine kind).
 * @param {Float32Array} v
 * @returns {number}
 */
function firstNonFinite(v) {
  const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
  for (let i = 0; i < bits.length; i++) if ((bits[i] & 0x7f800000) === 0x7f800000) return i;
  return -1;
}

/**
 * The same answer, first asking the engine's `includes` (three passes at ~4 ns per value together,
 * with no start-up cost): cheaper than the loop's start-up for models of up to ~half a million weights.
 * @param {Float32Array} v
 * @returns {number}
 */
function firstNonFiniteSmall(v) {
  return !v.includes(NaN) && !v.includes(Infinity) && !v.includes(-Infinity) ? -1 : firstNonFinite(v);
}

/** Models with at most this many weight values are scanned with {@link firstNonFiniteSmall}. */
const SMALL_MODEL_VALUES = 1 << 19;

/**
 * Every weight as a float32 (or int32) view, by name, checked; a float16 or int8 one also carries its
 * stored form (see {@link lazilyDequantized}).
 * @param {readonly TensorJson[]} tensors
 * @param {Uint8Array} data the concatenated shards (offset 0 of its own buffer)
 * @param {string} where model.json, for messages
 * @returns {Map<string, LoadedWeight>}
 */
export function readTensors(tensors, data, where) {
  /** @type {Map<string, LoadedWeight>} */
  const out = new Map();
  const values = tensors.reduce((n, t) => n + t.byteLength / 4, 0);
  const scan = values <= SMALL_MODEL_VALUES ? firstNonFiniteSmall : firstNonFinite;
  for (const t of tensors) {
    if (out.has(t.name))
      throw new WebgradError('ETENSOR', `${where}: tensor '${t.name}' is listed twice in weights.tensors`);
    checkQuantization(t, where);
    const count = sizeOf(t.shape);
    const need = count * itemSize(t.dtype);
    if (t.byteLength !== need) {
      throw new WebgradError(
        'ETENSOR',
        `${where}: tensor '${t.name}': byteLength ${t.byteLength}, but shape [${t.shape.join(', ')}] of ${t.dtype} takes ${need} bytes`,
      );
    }
    if (t.offset + t.byteLength > data.byteLength) {
      throw new WebgradError(
        'ETENSOR',
        `${where}: tensor '${t.name}': bytes [${t.offset}, ${t.offset + t.byteLength}) run past the end of the weight data (${data.byteLength} bytes in all shards)`,
      );
    }
    const stored = new STORAGE[t.dtype](/** @type {ArrayBuffer} */ (data.buffer), data.byteOffset + t.offset, count);
    /** @type {LoadedWeight} */
    let value;
    if (t.quantization) {
      const q = t.quantization;
      const int8 = q.scheme === 'int8_symmetric';
      value = lazilyDequantized(t.shape, {
        dtype: /** @type {'int8' | 'float16'} */ (t.dtype),
        data: /** @type {Int8Array | Uint16Array} */ (stored.slice()),
        scales: int8 ? Float32Array.from(q.scales) : null,
        axis: int8 ? q.axis : null,
      });
    } else {
      value = { data: stored.slice(), shape: t.shape, dtype: t.dtype };
    }
    // a stored weight that cannot dequantize to a non-finite value needs no float32 form to check
    if (value.dtype === 'float32' && !(value.stored && storedIsFinite(value.stored))) {
      const v = /** @type {Float32Array} */ (value.data);
      const first = scan(v);
      if (first >= 0) {
        let bad = 0;
        for (let i = first; i < v.length; i++) if (!Number.isFinite(v[i])) bad++;
        const kind = Number.isNaN(v[first]) ? 'NaN' : 'Inf';
        throw new WebgradError(
          'ENONFINITE',
          `${where}: tensor '${t.name}' has ${kind} at index ${indexOf(first, t.shape)} (${bad} non-finite values); weights must be finite`,
        );
      }
    }
    out.set(t.name, value);
  }
  return out;
}

/**
 * A float32 view of a stored weight whose `data` is dequantized (dequantizeInto, the op set's
 * Dequantize) on first read; `stored` is dropped then, so that a backend that reads the float32
 * values (js, webgpu) does not keep both.
 * @param {readonly number[]} shape
 * @param {StoredWeight} stored
 * @returns {LoadedWeight}
 */
export function lazilyDequantized(shape, stored) {
  /** @type {import('../dtypes.js').TypedArray | null} */
  let values = null;
  /** @type {LoadedWeight} */
  const view = {
    shape,
    dtype: 'float32',
    stored,
    get data() {
      if (values === null) {
        const s = /** @type {StoredWeight} */ (view.stored);
        values = new Float32Array(s.data.length);
        const scales = s.scales
          ? { data: s.scales, shape: [s.scales.length], dtype: /** @type {const} */ ('float32') }
          : null;
        dequantizeInto({ data: s.data, shape, dtype: s.dtype }, scales, null, s.axis, {
          data: values,
          shape,
          dtype: 'float32',
        });
        delete view.stored;
      }
      return values;
    },
    set data(v) {
      values = v;
      delete view.stored;
    },
  };
  return view;
}

/**
 * Whether every value of a stored weight dequantizes to a finite float32: float16 without Inf/NaN bits;
 * int8 whose scales stay finite times 128 (|q| <= 128).
 * @param {StoredWeight} s
 */
function storedIsFinite(s) {
  if (s.scales) return s.scales.every((x) => Number.isFinite(Math.fround(x * 128)));
  const h = /** @type {Uint16Array} */ (s.data);
  for (let i = 0; i < h.length; i++) if ((h[i] & 0x7c00) === 0x7c00) return false;
  return true;
}

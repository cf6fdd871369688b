/**
 * Where a bundle's files come from: a URL (fetch), a Node directory path or `file:` URL (node:fs,
 * imported only when used, so this module also runs in browsers), or an in-memory map of file name
 * to contents. Every source reads a file by name into bytes, reporting bytes as they arrive and
 * honouring an AbortSignal; a missing file reads as null.
 * @module
 */

import { WebgradError, throwIfAborted } from '../errors.js';

/**
 * @typedef {object} ReadOptions
 * @property {AbortSignal} [signal]
 * @property {(bytes: number) => void} [onBytes] called with the size of each chunk read
 */

/**
 * @typedef {object} Source
 * @property {(file: string) => string} describe the file's full path or URL, for messages
 * @property {(file: string, options: ReadOptions) => Promise<Uint8Array | null>} read its bytes, or null if missing
 */

/** @typedef {string | URL | Record<string, unknown> | Map<string, unknown>} BundleSource */

const CHUNK = 1 << 20;
const MODEL_FILE = 'model.json';

const isNode = () => typeof process !== 'undefined' && Boolean(process.versions?.node);

/**
 * The Source for what `loadModel` was given.
 * @param {BundleSource} source
 * @returns {Source}
 */
export function resolveSource(source) {
  if (source instanceof URL) return source.protocol === 'file:' ? fileSource(source) : urlSource(source);
  if (typeof source === 'string') {
    if (source.startsWith('file:')) return fileSource(new URL(source));
    if (/^[a-z][a-z\d+.-]*:\/\//i.test(source) || !isNode()) {
      let url;
      try {
        url = new URL(source, /** @type {any} */ (globalThis).location?.href);
      } catch {
        throw new WebgradError('ESOURCE', `loadModel: ${JSON.stringify(source)} is not a valid URL (a relative URL needs a page to resolve against)`);
      }
      return urlSource(url);
    }
    return fileSource(source);
  }
  if (source instanceof Map) return mapSource(source);
  if (source && typeof source === 'object' && !ArrayBuffer.isView(source)) return mapSource(new Map(Object.entries(source)));
  throw new WebgradError('ESOURCE', `loadModel: expected a URL, a directory path or a map {'model.json': ..., 'weights-000.bin': ...}, got ${source === null ? 'null' : typeof source}`);
}

/**
 * A directory (or model.json) URL with the directory made explicit.
 * @param {URL} url
 */
function directoryOf(url) {
  const base = new URL(url.href);
  if (base.pathname.endsWith(`/${MODEL_FILE}`)) base.pathname = base.pathname.slice(0, -MODEL_FILE.length);
  else if (!base.pathname.endsWith('/')) base.pathname += '/';
  return base;
}

/**
 * @param {URL} url
 * @returns {Source}
 */
function urlSource(url) {
  const base = directoryOf(url);
  const at = (/** @type {string} */ file) => new URL(file, base);
  return {
    describe: (file) => at(file).href,
    async read(file, { signal, onBytes }) {
      let response;
      try {
        response = await fetch(at(file), { signal });
      } catch (e) {
        throwIfAborted(signal, `reading ${at(file).href}`);
        throw new WebgradError('EFETCH', `${at(file).href}: fetch failed: ${/** @type {Error} */ (e).message}`, { cause: e });
      }
      if (response.status === 404) return null;
      if (!response.ok) throw new WebgradError('EFETCH', `${at(file).href}: HTTP ${response.status} ${response.statusText}`);
      if (!response.body) return new Uint8Array(await response.arrayBuffer());
      const reader = response.body.getReader();
      /** @type {Uint8Array[]} */
      const chunks = [];
      let total = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          total += value.byteLength;
          onBytes?.(value.byteLength);
          throwIfAborted(signal, `reading ${at(file).href}`);
        }
      } catch (e) {
        reader.cancel().catch(() => {});
        throwIfAborted(signal, `reading ${at(file).href}`);
        if (e instanceof WebgradError) throw e;
        throw new WebgradError('EFETCH', `${at(file).href}: read failed: ${/** @type {Error} */ (e).message}`, { cause: e });
      }
      return concat(chunks, total);
    },
  };
}

/**
 * @param {string | URL} dir a directory (or its model.json) as a path or file: URL
 * @returns {Source}
 */
function fileSource(dir) {
  if (!isNode()) throw new WebgradError('ESOURCE', `loadModel: ${String(dir)}: file paths and file: URLs are only readable in Node.js; serve the bundle over HTTP`);
  const raw = dir instanceof URL ? decodeURIComponent(dir.pathname) : dir;
  const dirLabel = raw.replace(/[\\/]?model\.json$/, '').replace(/[\\/]+$/, '') || '.';
  const describe = (/** @type {string} */ file) => `${dirLabel}/${file}`;
  /** @type {Promise<{fs: typeof import('node:fs/promises'), path: typeof import('node:path'), root: string}> | null} */
  let env = null;
  const setup = async () => {
    const [fs, path, url] = await Promise.all([
      import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises'),
      import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:path'),
      import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:url'),
    ]);
    let root = dir instanceof URL ? url.fileURLToPath(dir) : dir;
    if (path.basename(root) === MODEL_FILE) root = path.dirname(root);
    return { fs, path, root: path.resolve(root) };
  };
  return {
    describe,
    async read(file, { signal, onBytes }) {
      env ??= setup();
      const { fs, path, root } = await env;
      throwIfAborted(signal, `reading ${describe(file)}`);
      let handle;
      try {
        handle = await fs.open(path.join(root, file), 'r');
      } catch (e) {
        const code = /** @type {{code?: string}} */ (e).code;
        if (code === 'ENOENT') return null;
        if (code === 'ENOTDIR') return null;
        throw new WebgradError('EFETCH', `${describe(file)}: ${/** @type {Error} */ (e).message}`, { cause: e });
      }
      try {
        const { size } = await handle.stat();
        const out = new Uint8Array(size);
        for (let at = 0; at < size; ) {
          const { bytesRead } = await handle.read(out, at, Math.min(CHUNK, size - at), at);
          if (bytesRead === 0) return out.subarray(0, at);
          at += bytesRead;
          onBytes?.(bytesRead);
          throwIfAborted(signal, `reading ${describe(file)}`);
        }
        return out;
      } finally {
        await handle.close();
      }
    },
  };
}

/**
 * @param {Map<string, unknown>} files
 * @returns {Source}
 */
function mapSource(files) {
  return {
    describe: (file) => `${file} (in-memory bundle)`,
    async read(file, { signal, onBytes }) {
      throwIfAborted(signal, `reading ${file}`);
      if (!files.has(file)) return null;
      const value = files.get(file);
      let bytes;
      if (value instanceof Uint8Array) bytes = value;
      else if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
      else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      else if (typeof value === 'string') bytes = new TextEncoder().encode(value);
      else if (file === MODEL_FILE && value && typeof value === 'object') bytes = new TextEncoder().encode(JSON.stringify(value));
      else throw new WebgradError('ESOURCE', `${file} (in-memory bundle): expected bytes (Uint8Array/ArrayBuffer)${file === MODEL_FILE ? ', a string or an object' : ''}, got ${value === null ? 'null' : typeof value}`);
      onBytes?.(bytes.byteLength);
      return bytes;
    },
  };
}

/**
 * @param {Uint8Array[]} chunks
 * @param {number} total
 */
function concat(chunks, total) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

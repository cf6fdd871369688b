/**
 * Where a bundle's files come from: a URL (fetch), a Node directory path or `file:` URL (node:fs,
 * imported only when used, so this module also runs in browsers), or an in-memory map of file name
 * to contents. Every source reads a file by name into bytes, reporting bytes as they arrive and
 * honouring an AbortSignal; a missing file reads as null. A read is bounded: `check` sees the running
 * byte count before a chunk is kept (and a file's size before it is read) and throws to stop it, so an
 * endless response, a decompression bomb or a huge file never grows memory past the caller's cap; a
 * URL read also stops when no byte arrives for `timeoutMs`.
 * @module
 */

import { WebgradError, throwIfAborted } from '../errors.js';

/**
 * @typedef {object} ReadOptions
 * @property {AbortSignal} [signal]
 * @property {(bytes: number) => void} [onBytes] called with the size of each chunk read
 * @property {(total: number) => void} [check] called with the bytes read so far (decoded bytes, for a
 *   compressed response) before each chunk is kept, and with a file's size before it is read; throws
 *   (an ELIMIT or ESHARD_SIZE WebgradError) to stop the read there
 * @property {number} [timeoutMs] URL reads: give up (ELIMIT) when no byte arrives for this long
 *   (Infinity: never)
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
        throw new WebgradError(
          'ESOURCE',
          `loadModel: ${JSON.stringify(source)} is not a valid URL (a relative URL needs a page to resolve against)`,
        );
      }
      return urlSource(url);
    }
    return fileSource(source);
  }
  if (source instanceof Map) return mapSource(source);
  if (source && typeof source === 'object' && !ArrayBuffer.isView(source))
    return mapSource(new Map(Object.entries(source)));
  throw new WebgradError(
    'ESOURCE',
    `loadModel: expected a URL, a directory path or a map {'model.json': ..., 'weights-000.bin': ...}, got ${source === null ? 'null' : typeof source}`,
  );
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
    async read(file, { signal, onBytes, check, timeoutMs = Infinity }) {
      const href = at(file).href;
      // one signal for fetch: the caller's, or the idle timer's
      const own = new AbortController();
      const forward = () => own.abort(signal?.reason);
      if (signal?.aborted) forward();
      else signal?.addEventListener('abort', forward, { once: true });
      let timedOut = false;
      /** @type {ReturnType<typeof setTimeout> | undefined} */
      let timer;
      const arm = () => {
        if (!Number.isFinite(timeoutMs)) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          own.abort();
        }, timeoutMs);
      };
      const idle = () =>
        new WebgradError(
          'ELIMIT',
          `${href}: no data arrived for ${timeoutMs} ms (timeoutMs is ${timeoutMs}); the server stalled`,
        );
      try {
        arm();
        let response;
        try {
          response = await fetch(at(file), { signal: own.signal });
        } catch (e) {
          throwIfAborted(signal, `reading ${href}`);
          if (timedOut) throw idle();
          throw new WebgradError('EFETCH', `${href}: fetch failed: ${/** @type {Error} */ (e).message}`, { cause: e });
        }
        if (response.status === 404) {
          response.body?.cancel().catch(() => {});
          return null;
        }
        if (!response.ok) {
          response.body?.cancel().catch(() => {});
          throw new WebgradError('EFETCH', `${href}: HTTP ${response.status} ${response.statusText}`);
        }
        if (!response.body) {
          const bytes = new Uint8Array(await response.arrayBuffer());
          check?.(bytes.byteLength);
          return bytes;
        }
        const reader = response.body.getReader();
        /** @type {Uint8Array[]} */
        const chunks = [];
        let total = 0;
        try {
          for (;;) {
            arm();
            const { done, value } = await reader.read();
            if (done) break;
            total += value.byteLength;
            check?.(total); // before the chunk is kept: memory stays within the cap
            chunks.push(value);
            onBytes?.(value.byteLength);
            throwIfAborted(signal, `reading ${href}`);
          }
        } catch (e) {
          reader.cancel().catch(() => {});
          throwIfAborted(signal, `reading ${href}`);
          if (timedOut) throw idle();
          if (e instanceof WebgradError) throw e;
          throw new WebgradError('EFETCH', `${href}: read failed: ${/** @type {Error} */ (e).message}`, { cause: e });
        }
        return concat(chunks, total);
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', forward);
      }
    },
  };
}

/**
 * @param {string | URL} dir a directory (or its model.json) as a path or file: URL
 * @returns {Source}
 */
function fileSource(dir) {
  if (!isNode())
    throw new WebgradError(
      'ESOURCE',
      `loadModel: ${String(dir)}: file paths and file: URLs are only readable in Node.js; serve the bundle over HTTP`,
    );
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
    async read(file, { signal, onBytes, check }) {
      env ??= setup();
      const { fs, path, root } = await env;
      throwIfAborted(signal, `reading ${describe(file)}`);
      const full = path.join(root, file);
      // what the path is, before opening it: opening a FIFO for reading waits for a writer forever
      let info;
      try {
        info = await fs.stat(full);
      } catch (e) {
        const code = /** @type {{code?: string}} */ (e).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw new WebgradError('EFETCH', `${describe(file)}: ${/** @type {Error} */ (e).message}`, { cause: e });
      }
      checkRegular(info, describe(file));
      check?.(info.size);
      let handle;
      try {
        // non-blocking, in case the path was swapped for a FIFO since the stat (no effect on a file)
        handle = await fs.open(full, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
      } catch (e) {
        const code = /** @type {{code?: string}} */ (e).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw new WebgradError('EFETCH', `${describe(file)}: ${/** @type {Error} */ (e).message}`, { cause: e });
      }
      try {
        const opened = await handle.stat();
        checkRegular(opened, describe(file));
        const { size } = opened;
        check?.(size);
        const out = new Uint8Array(size);
        for (let at = 0; at < size;) {
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
 * EFETCH unless the stat is a regular file (a directory, FIFO, socket or device is not a bundle file).
 * @param {{isFile: () => boolean, isDirectory: () => boolean}} info
 * @param {string} where
 */
function checkRegular(info, where) {
  if (info.isFile()) return;
  const what = info.isDirectory() ? 'a directory' : 'not a regular file (a FIFO, socket or device)';
  throw new WebgradError('EFETCH', `${where}: is ${what}; expected a file of the bundle`);
}

/**
 * @param {Map<string, unknown>} files
 * @returns {Source}
 */
function mapSource(files) {
  return {
    describe: (file) => `${file} (in-memory bundle)`,
    async read(file, { signal, onBytes, check }) {
      throwIfAborted(signal, `reading ${file}`);
      if (!files.has(file)) return null;
      const value = files.get(file);
      let bytes;
      if (value instanceof Uint8Array) bytes = value;
      else if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
      else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      else if (typeof value === 'string') bytes = new TextEncoder().encode(value);
      else if (file === MODEL_FILE && value && typeof value === 'object')
        bytes = new TextEncoder().encode(manifestText(value));
      else
        throw new WebgradError(
          'ESOURCE',
          `${file} (in-memory bundle): expected bytes (Uint8Array/ArrayBuffer)${file === MODEL_FILE ? ', a string or an object' : ''}, got ${value === null ? 'null' : typeof value}`,
        );
      check?.(bytes.byteLength);
      onBytes?.(bytes.byteLength);
      return bytes;
    },
  };
}

/**
 * The JSON text of a model.json given as an object; ESOURCE when it has none: a cycle, a BigInt, a
 * throwing `toJSON` or getter (JSON.stringify's error would otherwise escape untyped), or a `toJSON`
 * that gives nothing.
 * @param {object} value
 * @returns {string}
 */
function manifestText(value) {
  const where = `${MODEL_FILE} (in-memory bundle)`;
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new WebgradError(
      'ESOURCE',
      `${where}: the object given as model.json cannot be written as JSON (${/** @type {Error} */ (e).message}); pass a plain JSON object, its text or its bytes`,
      { cause: e },
    );
  }
  if (typeof text !== 'string')
    throw new WebgradError(
      'ESOURCE',
      `${where}: the object given as model.json has no JSON form (its toJSON gives ${typeof text}); pass a plain JSON object, its text or its bytes`,
    );
  return text;
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

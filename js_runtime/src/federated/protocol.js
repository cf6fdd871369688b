/**
 * The HTTP side of a federated client (`docs/federated_protocol.md`): JSON requests under `/fl/v1` with
 * the client's bearer token, the server's `{"error": {code, message}}` answers turned into WebgradErrors
 * (`EFEDERATED`, the server's code in `serverCode`), polls that wait `pollAfterMs` on a timer the
 * AbortSignal clears (a stopped client leaves nothing pending: a Node process exits by itself), and a
 * count of the bytes sent, for the round reports.
 * @module
 */

import { WebgradError, throwIfAborted } from '../errors.js';

/** @typedef {typeof globalThis.fetch} Fetch */
/** @typedef {{status: 'wait', pollAfterMs?: number} | {status: string, [key: string]: unknown}} Answer */

/** The longest and shortest waits between polls, whatever the server asks (ms). */
const POLL_MIN_MS = 20;
const POLL_MAX_MS = 10000;
/** How long a poll keeps retrying an unreachable server or a 5xx answer (a server restarting), in ms. */
const RETRY_FOR_MS = 60000;

/**
 * Whether a failed request is worth retrying: the server could not be reached or failed itself (5xx).
 * @param {unknown} e
 */
const transient = (e) =>
  e instanceof WebgradError &&
  (e.code === 'EFETCH' || (e.code === 'EFEDERATED' && /** @type {any} */ (e).status >= 500));

/**
 * Resolves after `ms`, or rejects with EABORTED as soon as `signal` aborts (the timer cleared).
 * @param {number} ms @param {AbortSignal} signal @param {string} what
 * @returns {Promise<void>}
 */
export function sleep(ms, signal, what) {
  throwIfAborted(signal, what);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new WebgradError('EABORTED', `${what}: aborted`, { cause: signal.reason }));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A federated server at one base URL, spoken to with one token. */
export class Protocol {
  /**
   * @param {string} serverUrl the server's origin (or any URL under which `/fl/v1` lives)
   * @param {{token?: string, fetch: Fetch, signal: AbortSignal}} options
   */
  constructor(serverUrl, { token, fetch, signal }) {
    this.base = new URL('/fl/v1/', serverUrl);
    this.token = token;
    this.fetch = fetch;
    this.signal = signal;
    /** Bytes of the request bodies sent so far (reset by the caller per round). */
    this.bytesSent = 0;
    /** Bytes of the answers and model files received so far. */
    this.bytesReceived = 0;
  }

  /**
   * An absolute URL for a path the server gave (`/fl/v1/model/3/`) or one under the API (`task`).
   * @param {string} path
   */
  url(path) {
    return new URL(path, this.base);
  }

  /**
   * One request; resolves to the parsed JSON answer. Network failures are EFETCH, the server's error
   * answers EFEDERATED with `serverCode`/`status`, an unreadable answer EFETCH.
   * @param {'GET' | 'POST'} method @param {string} path under /fl/v1 @param {object} [body]
   * @returns {Promise<any>}
   */
  async request(method, path, body) {
    const url = this.url(path);
    const what = `${method} ${url.pathname}`;
    throwIfAborted(this.signal, what);
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let text;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      text = JSON.stringify(body);
      this.bytesSent += text.length; // the bodies are ASCII (base64, numbers, ids)
    }
    let res;
    try {
      res = await this.fetch(url, { method, headers, body: text, signal: this.signal });
    } catch (e) {
      throwIfAborted(this.signal, what);
      throw new WebgradError('EFETCH', `${what}: the federated server could not be reached (${String(e)})`, {
        cause: e,
      });
    }
    const answer = await res.text().catch((e) => {
      throwIfAborted(this.signal, what);
      throw new WebgradError('EFETCH', `${what}: the answer was cut off (${String(e)})`, { cause: e });
    });
    this.bytesReceived += answer.length;
    let json;
    try {
      json = JSON.parse(answer);
    } catch {
      json = null;
    }
    if (!res.ok) {
      const err = json?.error;
      const code = typeof err?.code === 'string' ? err.code : `HTTP${res.status}`;
      const message = typeof err?.message === 'string' ? err.message : answer.slice(0, 200);
      const e = new WebgradError('EFEDERATED', `${what}: the server refused (${code}, HTTP ${res.status}): ${message}`);
      /** @type {any} */ (e).serverCode = code;
      /** @type {any} */ (e).status = res.status;
      throw e;
    }
    if (json === null || typeof json !== 'object')
      throw new WebgradError('EFETCH', `${what}: expected a JSON object, got ${JSON.stringify(answer.slice(0, 80))}`);
    return json;
  }

  /**
   * GETs `path` until the answer is not `{"status": "wait"}`, sleeping `pollAfterMs` between tries;
   * an unreachable server or a 5xx answer is retried with a growing pause for up to a minute.
   * @param {string} path @param {(a: any) => void} [onWait] called with each wait answer
   * @returns {Promise<any>}
   */
  async poll(path, onWait) {
    let failingSince = 0;
    let backoff = 250;
    for (;;) {
      let a;
      try {
        a = await this.request('GET', path);
        failingSince = 0;
        backoff = 250;
      } catch (e) {
        // a server that restarts (it resumes from its checkpoint) is waited for, a while
        if (!transient(e)) throw e;
        failingSince ||= Date.now();
        if (Date.now() - failingSince > RETRY_FOR_MS) throw e;
        await sleep(backoff, this.signal, `GET ${path}`);
        backoff = Math.min(backoff * 2, 5000);
        continue;
      }
      if (a.status !== 'wait') return a;
      onWait?.(a);
      const ms = Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, Number(a.pollAfterMs) || 500));
      await sleep(ms, this.signal, `GET ${path}`);
    }
  }

  /**
   * A file of the model at `url` (no token: the model files are public), as bytes; null when missing.
   * @param {URL} url
   * @returns {Promise<Uint8Array | null>}
   */
  async file(url) {
    const what = `GET ${url.pathname}`;
    let res;
    try {
      res = await this.fetch(url, { signal: this.signal });
    } catch (e) {
      throwIfAborted(this.signal, what);
      throw new WebgradError('EFETCH', `${what}: the federated server could not be reached (${String(e)})`, {
        cause: e,
      });
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new WebgradError('EFETCH', `${what}: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    this.bytesReceived += bytes.byteLength;
    return bytes;
  }
}

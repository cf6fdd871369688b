/**
 * `FederatedClient`: takes part in federated training on a webgrad server (`webgrad federated serve`,
 * `wg.federated.Server`), from a browser page or a Node.js process. The protocol is in
 * `docs/federated_protocol.md`. This class only checks its arguments; the round loop, the HTTP client
 * and the secure-aggregation code load on the first `join` (lazy chunks), so a page that only runs
 * inference does not download them.
 *
 * ```js
 * import { FederatedClient } from 'webgrad';
 * const client = new FederatedClient('https://example.org', { token });
 * await client.join({ data: () => ({ x: { data: pixels, shape: [n, 8, 8, 1] }, y: labels }),
 *                     onRound: (r) => console.log(r.round, r.loss) });
 * ```
 * @module
 */

import { WebgradError } from '../errors.js';

/** @typedef {import('../inputs.js').ModelInput} ModelInput */
/**
 * @typedef {object} RoundReport what `onRound` receives after each round the client trained in
 * @property {number} round the server's round number
 * @property {number} version the global version trained from
 * @property {number} numExamples examples trained on
 * @property {number} loss the last epoch's mean training loss
 * @property {number} [accuracy] the last epoch's training accuracy (classification losses)
 * @property {number} updateNorm the L2 norm of the update before clipping
 * @property {boolean} clipped whether the update was scaled down to the task's `clipNorm`
 * @property {'float32' | 'secagg'} encoding how the update was sent
 * @property {boolean} accepted whether the server took the update (false: the round had moved on)
 * @property {string} [rejected] the server's code when it did not (EROUND, EDUPLICATE)
 * @property {boolean} reusedModel whether the model loaded earlier was kept (only its weights replaced)
 * @property {number} bytesSent request bytes this round (update, secure-aggregation messages, polls)
 * @property {number} bytesReceived answer and model bytes this round
 * @property {number} seconds wall-clock seconds of the round on this client
 */
/**
 * @typedef {object} JoinOptions
 * @property {() => {x: ModelInput, y: unknown}} data the client's examples, called at join and at each
 *   round (so they may grow between rounds); x and y as `model.fit` takes them
 * @property {(report: RoundReport) => unknown} [onRound] after each round (awaited)
 * @property {(status: {phase: string, round?: number}) => void} [onStatus] as the client moves between
 *   phases ('joined', 'waiting', 'loading', 'training', 'uploading', 'secagg', 'done')
 * @property {AbortSignal} [signal] stops the client (as `stop()`)
 */
/** @typedef {{clientId: string, rounds: number, version: number | null}} JoinResult */

/** Federated training from this page or process: see the module doc. */
export class FederatedClient {
  /** @type {AbortController | null} the running join's */
  #controller = null;

  /**
   * @param {string | URL} serverUrl the server's URL (its `/fl/v1` API lives under it)
   * @param {{token?: string, backend?: string, fetch?: typeof globalThis.fetch}} [options]
   *   `token`: the bearer token the operator issued (`webgrad federated token`); `backend`: the training
   *   backend ('auto', 'wasm', 'js'); `fetch`: a fetch to use instead of the global one
   */
  constructor(serverUrl, { token, backend = 'auto', fetch } = {}) {
    let url;
    try {
      url = new URL(String(serverUrl), /** @type {any} */ (globalThis).location?.href);
    } catch {
      throw new WebgradError('EARG', `FederatedClient: serverUrl ${JSON.stringify(String(serverUrl))} is not a URL`);
    }
    if (token !== undefined && typeof token !== 'string')
      throw new WebgradError('EARG', `FederatedClient: token must be a string, got ${typeof token}`);
    if (typeof backend !== 'string')
      throw new WebgradError('EARG', `FederatedClient: backend must be a string, got ${typeof backend}`);
    const f = fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new WebgradError('EARG', 'FederatedClient: no fetch here; pass options.fetch');
    this.serverUrl = url.href;
    this.token = token;
    this.backend = backend;
    /** @type {typeof globalThis.fetch} called unbound: a browser's fetch must not be called as a method */
    this.fetch = fetch ?? ((input, init) => globalThis.fetch(input, init));
    /** @type {string | null} the id the server gave at join */
    this.clientId = null;
  }

  /**
   * Joins the federation and trains every round the server hands this client, until the run is done.
   * Resolves to `{clientId, rounds, version}` (rounds trained, the final global version: load it with
   * `loadModel(serverUrl + '/fl/v1/model/' + version + '/')`). Rejects with EABORTED after `stop()` or
   * an aborted `signal`, EFEDERATED when the server refuses the client (e.g. `serverCode` EAUTH),
   * EFETCH when it cannot be reached, and the errors of `loadModel`/`fit` (e.g. EINPUT for bad data).
   * @param {JoinOptions} options
   * @returns {Promise<JoinResult>}
   */
  async join(options) {
    const { data, onRound, onStatus, signal } = options ?? /** @type {any} */ ({});
    if (typeof data !== 'function')
      throw new WebgradError('EARG', 'FederatedClient.join: data must be a function returning {x, y}');
    for (const [name, fn] of /** @type {[string, unknown][]} */ ([
      ['onRound', onRound],
      ['onStatus', onStatus],
    ]))
      if (fn !== undefined && typeof fn !== 'function')
        throw new WebgradError('EARG', `FederatedClient.join: ${name} must be a function`);
    if (signal !== undefined && !(signal && typeof signal.aborted === 'boolean'))
      throw new WebgradError('EARG', 'FederatedClient.join: signal must be an AbortSignal');
    if (this.#controller) throw new WebgradError('EARG', 'FederatedClient.join: this client is already running');
    const controller = new AbortController();
    const forward = () => controller.abort(signal?.reason);
    if (signal?.aborted) forward();
    else signal?.addEventListener('abort', forward, { once: true });
    this.#controller = controller;
    try {
      const { runRounds } = await import('./rounds.js');
      return await runRounds(this, { data, onRound, onStatus, signal: controller.signal });
    } finally {
      signal?.removeEventListener('abort', forward);
      this.#controller = null;
    }
  }

  /** Stops a running `join` (it rejects with EABORTED); nothing is left pending. */
  stop() {
    this.#controller?.abort(new WebgradError('EABORTED', 'FederatedClient stopped'));
  }
}

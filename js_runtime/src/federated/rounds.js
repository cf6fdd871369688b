/**
 * The round loop of a `FederatedClient` (loaded on its first `join`): join, poll for a task, train the
 * task's global version with the server's settings (epochs, batch size, learning rate, FedProx's mu,
 * seed; a fresh optimizer each round), send trained − global (clipped to the task's `clipNorm`; masked
 * when the task asks for secure aggregation), report, and again until the run is done.
 * @module
 */

import { WebgradError } from '../errors.js';
import { Protocol } from './protocol.js';
import { GlobalModel } from './global_model.js';
import { clipInPlace, encodeFloat32, l2Norm, nonFinite, pick, updateVector } from './update.js';

/** @typedef {import('./client.js').FederatedClient} FederatedClient */
/** @typedef {import('./client.js').JoinOptions} JoinOptions */
/** @typedef {import('./client.js').JoinResult} JoinResult */
/** @typedef {import('./client.js').RoundReport} RoundReport */
/** @typedef {import('../inputs.js').ModelInput} ModelInput */
/**
 * @typedef {{status: 'train', round: number, taskId: string, version: number, bundleUrl: string,
 *   settings?: {epochs?: number, batchSize?: number, learningRate?: number, proxMu?: number, seed?: number},
 *   clipNorm?: number | null, secagg?: object | null, deadlineMs?: number}} TrainTask
 */

/** Server codes meaning "this round went on without you": the client goes on to the next task. */
const ROUND_MOVED_ON = new Set(['EROUND', 'EDUPLICATE']);

/** `runtime` of the join request: a page, or a server-side JavaScript process. */
const RUNTIME = typeof (/** @type {any} */ (globalThis).document) !== 'undefined' ? 'browser' : 'node';

/**
 * The example count of `x` (its first input's batch dim); EARG when it has none.
 * @param {unknown} x
 */
export function exampleCount(x) {
  const first = /** @type {any} */ (
    x && typeof x === 'object' && !('shape' in x) && !ArrayBuffer.isView(x) ? Object.values(x)[0] : x
  );
  const n = first?.shape?.[0];
  if (!Number.isSafeInteger(n) || n < 1)
    throw new WebgradError(
      'EARG',
      'FederatedClient: data().x must be a tensor {data, shape} (or named ones) with examples',
    );
  return /** @type {number} */ (n);
}

/**
 * The client's data for a round, checked.
 * @param {JoinOptions['data']} data
 */
function examples(data) {
  const d = data();
  if (!d || typeof d !== 'object' || !('x' in d) || !('y' in d))
    throw new WebgradError('EARG', 'FederatedClient: data() must return {x, y}');
  return { x: d.x, y: d.y, n: exampleCount(d.x) };
}

/**
 * Joins and trains until the run is done.
 * @param {FederatedClient} client
 * @param {JoinOptions & {signal: AbortSignal}} options
 * @returns {Promise<JoinResult>}
 */
export async function runRounds(client, { data, onRound, onStatus, signal }) {
  const proto = new Protocol(client.serverUrl, { token: client.token, fetch: client.fetch, signal });
  const global = new GlobalModel({ backend: client.backend });
  try {
    const { n } = examples(data);
    const joined = await proto.request('POST', 'join', { runtime: RUNTIME, numExamples: n });
    if (typeof joined.clientId !== 'string')
      throw new WebgradError('EFETCH', 'POST /fl/v1/join: the answer has no clientId');
    const clientId = joined.clientId;
    client.clientId = clientId;
    onStatus?.({ phase: 'joined' });
    let rounds = 0;
    for (;;) {
      const task = await proto.poll(`task?clientId=${encodeURIComponent(clientId)}`, () =>
        onStatus?.({ phase: 'waiting' }),
      );
      if (task.status === 'done') {
        onStatus?.({ phase: 'done' });
        return { clientId, rounds, version: typeof task.version === 'number' ? task.version : global.version };
      }
      if (task.status !== 'train')
        throw new WebgradError('EFETCH', `GET /fl/v1/task: unknown status ${JSON.stringify(task.status)}`);
      const report = await trainRound(proto, global, clientId, /** @type {TrainTask} */ (task), data, onStatus);
      rounds++;
      if (onRound) await onRound(report);
    }
  } finally {
    global.dispose();
  }
}

/**
 * One round: load, train, update, send.
 * @param {Protocol} proto @param {GlobalModel} global @param {string} clientId @param {TrainTask} task
 * @param {JoinOptions['data']} data @param {JoinOptions['onStatus']} onStatus
 * @returns {Promise<RoundReport>}
 */
async function trainRound(proto, global, clientId, task, data, onStatus) {
  const started = Date.now();
  proto.bytesSent = 0;
  proto.bytesReceived = 0;
  const { round, taskId, version } = task;
  onStatus?.({ phase: 'loading', round });
  const model = await global.use(proto, version, task.bundleUrl);
  const reusedModel = global.reused;
  const order = global.trainable;
  const center = pick(model.getWeights(), order);
  const { x, y, n } = examples(data);
  const s = task.settings ?? {};
  const mu = s.proxMu ?? 0;
  onStatus?.({ phase: 'training', round });
  const { history } = await model.fit(x, y, {
    epochs: s.epochs,
    batchSize: s.batchSize,
    learningRate: s.learningRate,
    seed: s.seed,
    resetOptimizer: true,
    proximal: mu ? { mu, center } : undefined,
    signal: proto.signal,
  });
  const delta = updateVector(pick(model.getWeights(), order), center, order);
  const bad = nonFinite(delta);
  if (bad) throw bad;
  const { norm, clipped } =
    task.clipNorm == null ? { norm: l2Norm(delta), clipped: false } : clipInPlace(delta, task.clipNorm);
  const metrics = {
    loss: history.loss[history.loss.length - 1],
    accuracy: history.accuracy?.[history.accuracy.length - 1],
  };
  /** @type {{encoding: 'float32' | 'secagg', update: string, after?: () => Promise<void>}} */
  let wire;
  if (task.secagg) {
    onStatus?.({ phase: 'secagg', round });
    const { secaggRound } = await import('./secagg_round.js');
    // the masked sum is weighted by example counts; DP-FedAvg (a clip norm) divides by a fixed count instead
    const weight = task.clipNorm == null ? n : 1;
    wire = await secaggRound(proto, { clientId, taskId, round, config: task.secagg, update: delta, weight });
  } else wire = { encoding: 'float32', update: await encodeFloat32(delta) };
  onStatus?.({ phase: 'uploading', round });
  let accepted = true;
  /** @type {string | undefined} */
  let rejected;
  try {
    await proto.request('POST', 'update', {
      clientId,
      taskId,
      round,
      numExamples: n,
      encoding: wire.encoding,
      update: wire.update,
      clipped,
      metrics,
    });
    if (wire.after) await wire.after();
  } catch (e) {
    const code = /** @type {any} */ (e).serverCode;
    if (!(e instanceof WebgradError && e.code === 'EFEDERATED' && ROUND_MOVED_ON.has(code))) throw e;
    accepted = false;
    rejected = code;
  }
  return {
    round,
    version,
    numExamples: n,
    loss: metrics.loss,
    ...(metrics.accuracy === undefined ? {} : { accuracy: metrics.accuracy }),
    updateNorm: norm,
    clipped,
    encoding: wire.encoding,
    accepted,
    ...(rejected ? { rejected } : {}),
    reusedModel,
    bytesSent: proto.bytesSent,
    bytesReceived: proto.bytesReceived,
    seconds: (Date.now() - started) / 1000,
  };
}

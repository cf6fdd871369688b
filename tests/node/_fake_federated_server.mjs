// A small in-process stand-in for the federated server of docs/federated_protocol.md (the real one is
// Python's webgrad.federated.Server, tested with this client in tests/test_federated_e2e.py): enough of
// /fl/v1 to drive FederatedClient through rounds — join, task, update (decoded and kept), the model
// files of each version (written by the JS runtime's own toBundle) — with hooks to make it refuse.

import { createServer } from 'node:http';
import { loadModel } from '../../js_runtime/src/index.js';

/**
 * Starts the server on a free port. `bundle`: the initial trainable bundle map; `rounds`; `task`: extra
 * fields of each train task (settings, clipNorm, secagg); `onUpdate(body, vector)`: returns an error
 * {status, code} to refuse; `aggregate(global, vectors)`: the next global weights (default: add the mean).
 * `waitForever`: /task always answers wait. `truncateTrainableBin`: serves trainable.bin 4 bytes short.
 * `failTasks`: the first n /task requests answer 503 (a server restarting).
 */
export async function startFakeServer({
  bundle,
  rounds = 2,
  token = 'secret',
  task = {},
  onUpdate,
  waitForever = false,
  truncateTrainableBin = false,
  failTasks = 0,
  clientsPerRound = 1,
}) {
  const model = await loadModel(bundle, { trainable: true, backend: 'js' });
  const order = JSON.parse(
    typeof bundle['model.json'] === 'string' ? bundle['model.json'] : JSON.stringify(bundle['model.json']),
  ).training.trainable;
  const versions = new Map([[0, await model.toBundle()]]);
  // the trainable weights of each version in the update vector's layout (float32 LE on this machine)
  const flat = () => Float32Array.from(order.flatMap((name) => [...model.getWeights()[name]]));
  const trainableBin = new Map([[0, flat()]]);
  const state = { round: 1, version: 0, done: false, updates: [], requests: [], clients: 0 };
  let pending = [];
  const json = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const fail = (res, status, code, message = code) => json(res, status, { error: { code, message } });
  const publish = async (vectors) => {
    const w = model.getWeights();
    let at = 0;
    const next = {};
    for (const name of order) {
      const g = w[name];
      next[name] = Float32Array.from(g, (v, i) => v + vectors.reduce((s, u) => s + u[at + i], 0) / vectors.length);
      at += g.length;
    }
    model.setWeights(next);
    state.version += 1;
    versions.set(state.version, await model.toBundle());
    trainableBin.set(state.version, flat());
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    state.requests.push(`${req.method} ${path}`);
    const file = path.match(/^\/fl\/v1\/model\/(\d+)\/([\w.-]+)$/);
    if (file?.[2] === 'trainable.bin' && versions.has(Number(file[1]))) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const bytes = Buffer.from(trainableBin.get(Number(file[1])).buffer);
      return res.end(truncateTrainableBin ? bytes.subarray(4) : bytes);
    }
    if (file) {
      const b = versions.get(Number(file[1]));
      const body = b?.[file[2]];
      if (body === undefined) return fail(res, 404, 'ENOTFOUND');
      res.writeHead(200, { etag: `"v${file[1]}-${file[2]}"` });
      return res.end(typeof body === 'string' ? body : Buffer.from(body));
    }
    if (req.headers.authorization !== `Bearer ${token}`) return fail(res, 401, 'EAUTH', 'unknown token');
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) : null;
    if (path === '/fl/v1/join') {
      state.clients += 1;
      return json(res, 200, { clientId: `c${state.clients}` });
    }
    if (path === '/fl/v1/task') {
      if (failTasks-- > 0) return fail(res, 503, 'EUNAVAILABLE');
      if (state.done) return json(res, 200, { status: 'done', version: state.version });
      if (waitForever || pending.some((u) => u.clientId === url.searchParams.get('clientId')))
        return json(res, 200, { status: 'wait', pollAfterMs: 30 });
      return json(res, 200, {
        status: 'train',
        round: state.round,
        taskId: `t${state.round}`,
        version: state.version,
        bundleUrl: `/fl/v1/model/${state.version}/`,
        settings: { epochs: 2, batchSize: 4, learningRate: 0.1, proxMu: 0, seed: 5 },
        clipNorm: null,
        secagg: null,
        deadlineMs: 30000,
        ...task,
      });
    }
    if (path === '/fl/v1/update') {
      const vector = new Float32Array(new Uint8Array(Buffer.from(body.update, 'base64')).buffer);
      const refused = onUpdate?.(body, vector, state);
      if (refused) return fail(res, refused.status ?? 409, refused.code);
      state.updates.push({ ...body, vector });
      pending.push({ clientId: body.clientId, vector });
      if (pending.length >= clientsPerRound) {
        const vectors = pending.map((p) => p.vector);
        await publish(vectors);
        pending = [];
        if (state.round >= rounds) state.done = true;
        else state.round += 1;
      }
      return json(res, 200, { accepted: true });
    }
    return fail(res, 404, 'ENOTFOUND');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    state,
    versions,
    order,
    close: async () => {
      model.dispose();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}

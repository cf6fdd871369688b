/**
 * The "Federated: train together" panel: this tab joins the demo server's federated run (the Python
 * `webgrad.federated.Server` the demo mounts under `/fl/`, when it runs with `federated=True`) through the
 * npm package's `FederatedClient`, training the global model on the drawings added in the teaching panel
 * (read afresh each round, so drawings added meanwhile join the next round) and sending only weight
 * updates. The table follows the server's round reports (`GET /fl/v1/status`): tabs per round, the global
 * model's accuracy on held-out digits, ε spent (with differential privacy), and this tab's loss.
 * `window.webgradFederated.state()` is a hook for tests and the console.
 * @module
 */

// a namespace import: with a build of the package that predates FederatedClient the panel says so
// instead of the whole module failing to load
import * as webgrad from 'webgrad';
import { el, percent } from './format.js';
import { modelInput } from './teach.js';

const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
const STATUS_POLL_MS = 1000;

const ui = {
  off: $('fl-off'),
  controls: $('fl-controls'),
  join: $('fl-join'),
  leave: $('fl-leave'),
  status: $('fl-status'),
  rows: /** @type {HTMLTableSectionElement} */ ($('fl-rounds').tBodies[0]),
  error: $('fl-error'),
};

const st = {
  /** @type {any} the server's /api/federated answer */
  config: null,
  /** @type {import('webgrad').FederatedClient | null} */
  client: null,
  /** @type {string | null} the id the server gave this tab (kept after leaving) */
  clientId: null,
  /** @type {any[]} the server's round reports */
  reports: [],
  /** @type {Map<number, any>} this tab's round reports, by round */
  mine: new Map(),
  /** @type {ReturnType<typeof setTimeout> | null} */
  timer: null,
  done: false,
};

/** @param {string} text empty to hide */
function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = !text;
}

/** @param {unknown} e */
const describe = (e) => {
  const err = /** @type {Error & {code?: string, serverCode?: string}} */ (e);
  return `${err.code ? `[${err.serverCode ?? err.code}] ` : ''}${err.message ?? String(e)}`;
};

/** The drawings of the teaching panel as training data (the bundle's preprocessing applied). */
function drawings() {
  const teach = /** @type {any} */ (window).webgradDemo?.teach?.state();
  const examples = (teach?.examples ?? []).map((/** @type {any} */ e) => ({
    pixels: Uint8Array.from(e.pixels),
    label: e.label,
  }));
  return modelInput(examples, st.config?.preprocessing);
}

function render() {
  const joined = Boolean(st.client);
  ui.join.disabled = joined || st.done;
  ui.leave.disabled = !joined;
  ui.rows.replaceChildren(
    ...st.reports.map((r) => {
      const row = el('tr');
      const accuracy = r.eval?.accuracy ?? null;
      const mine = st.mine.get(r.round);
      for (const text of [
        String(r.round),
        String(r.participants),
        accuracy === null ? (r.accuracy === null ? '—' : `${percent(r.accuracy)} (tabs' own)`) : percent(accuracy),
        r.epsilon === null ? 'no DP' : r.epsilon.toFixed(2),
        mine ? mine.loss.toFixed(4) : '—',
      ])
        row.append(el('td', text));
      return row;
    }),
  );
}

/** Polls the server's round reports while the panel is on. */
async function pollStatus() {
  try {
    const res = await fetch('fl/v1/status');
    if (res.ok) {
      const status = await res.json();
      st.reports = status.reports;
      st.done = status.done;
      render();
    }
  } catch {
    // the next poll tries again; a server that went away shows in the client's own errors
  }
  st.timer = setTimeout(pollStatus, STATUS_POLL_MS);
}

async function join() {
  if (st.client) return;
  showError('');
  if (!drawings().y.length) {
    showError('Add a few drawings in "Teach it your handwriting" first: this tab trains on them.');
    return;
  }
  try {
    const res = await fetch('api/federated/token', { method: 'POST' });
    if (!res.ok) throw new Error(`the server gave no token (HTTP ${res.status})`);
    const { token } = await res.json();
    const client = new webgrad.FederatedClient(location.href, { token, backend: 'wasm' });
    st.client = client;
    render();
    const need = st.config.clientsPerRound;
    const result = await client.join({
      data: drawings,
      onStatus: ({ phase, round }) => {
        st.clientId = client.clientId;
        ui.status.textContent =
          phase === 'waiting'
            ? `Joined; waiting for a round (each round takes ${need} tabs).`
            : phase === 'done'
              ? 'The run is over.'
              : `Round ${round ?? ''}: ${phase}…`;
      },
      onRound: (r) => {
        st.mine.set(r.round, r);
        ui.status.textContent = `Round ${r.round}: trained on ${r.numExamples} drawings, loss ${r.loss.toFixed(4)}${r.accepted ? '' : ` (not counted: ${r.rejected})`}.`;
        render();
      },
    });
    ui.status.textContent = `The run is over: the global model is version ${result.version}.`;
  } catch (e) {
    const err = /** @type {any} */ (e);
    if (err.code === 'EABORTED') ui.status.textContent = 'Left the run.';
    else showError(`Federated training stopped: ${describe(e)}`);
  } finally {
    st.client = null;
    render();
  }
}

async function setup() {
  try {
    const res = await fetch('api/federated');
    st.config = res.ok ? await res.json() : { enabled: false };
  } catch {
    st.config = { enabled: false };
  }
  if (st.config.enabled && typeof webgrad.FederatedClient !== 'function')
    st.config = { enabled: false, why: 'The npm package this page runs has no FederatedClient (an older build).' };
  ui.off.hidden = st.config.enabled;
  ui.off.textContent = st.config.enabled
    ? ''
    : (st.config.why ??
      'Federated training is off on this server: start the demo with create_app(..., federated=True) and a trainable bundle (<model>-trainable) among its bundles.');
  ui.controls.hidden = !st.config.enabled;
  if (!st.config.enabled) return;
  const s = st.config.settings;
  ui.status.textContent = `Model ${st.config.bundle}: ${st.config.clientsPerRound} tabs a round, ${s.epochs} local epochs at learning rate ${s.learningRate}${st.config.dp ? ', with differential privacy' : ''}.`;
  ui.join.addEventListener('click', () => join());
  ui.leave.addEventListener('click', () => st.client?.stop());
  render();
  pollStatus();
}

/** @type {any} */ (window).webgradFederated = {
  state: () => ({
    config: st.config,
    joined: Boolean(st.client),
    clientId: st.clientId,
    reports: st.reports,
    mine: [...st.mine.values()],
    status: ui.status.textContent,
    error: ui.error.hidden ? '' : ui.error.textContent,
    off: ui.off.hidden ? '' : ui.off.textContent,
  }),
  ready: setup(),
};

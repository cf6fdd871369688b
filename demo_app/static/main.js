/**
 * The demo page: wires the drawing pad, the preprocessing, the npm package `webgrad` (imported by its
 * package name through the page's import map, as a bundler would) and the views. Loads and
 * classifications run one at a time, in order, so switching bundle or backend mid-stroke is safe.
 * `window.webgradDemo` is a small hook for tests and the console: it draws through the same
 * canvas input path a pointer uses.
 * @module
 */

import { listBackends, loadModel } from 'webgrad';
import { renderBackendList, renderBackendSelect } from './backends.js';
import { cardRows, renderCard } from './card.js';
import { renderChart } from './chart.js';
import { bytes, el, millis, percent } from './format.js';
import { DrawingPad } from './pad.js';
import { SIZE, toMnist } from './preprocess.js';
import { initTeach } from './teach.js';

/** @typedef {import('./card.js').IndexEntry} IndexEntry */
/** @typedef {import('./chart.js').Prediction} Prediction */
/** @typedef {{top: Prediction[], backend: string, bundle: string, latencyMs: number, preprocessMs: number} | null} Result */

const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
const ui = {
  pad: /** @type {HTMLCanvasElement} */ ($('pad')),
  preview: /** @type {HTMLCanvasElement} */ ($('preview')),
  clear: $('clear'),
  digit: $('digit'),
  prediction: $('prediction'),
  chart: $('chart'),
  latency: $('latency'),
  backend: /** @type {HTMLSelectElement} */ ($('backend')),
  bundle: /** @type {HTMLSelectElement} */ ($('bundle')),
  status: $('backend-status'),
  list: $('backend-list'),
  message: $('message'),
  card: $('card'),
};

const state = {
  /** @type {{bundles: IndexEntry[], problem: string | null, defaultModel: string | null, packageError: string | null} | null} */
  index: null,
  /** @type {import('./backends.js').BackendInfo[]} */
  backends: [],
  /** @type {import('webgrad').Model | null} */
  model: null,
  /** @type {IndexEntry | null} */
  entry: null,
  request: 'auto',
  /** @type {Result} */
  last: null,
  /** @type {number[]} the latest latencies, for a steady median */
  latencies: [],
  announce: false,
};

let chain = Promise.resolve();
/**
 * Runs `task` after every task queued before it.
 * @template T
 * @param {() => Promise<T>} task
 * @returns {Promise<T>}
 */
function serial(task) {
  const p = chain.then(task);
  chain = p.then(
    () => {},
    () => {},
  );
  return p;
}

/** @param {string} text empty to hide */
function showMessage(text) {
  ui.message.textContent = text;
  ui.message.hidden = !text;
}

const pad = new DrawingPad(ui.pad, {
  onChange: (kind) => {
    if (kind !== 'image') requestClassify(kind !== 'stroke');
  },
});

const teach = initTeach({ pad });

/** @type {Promise<Result> | null} a queued classification not started yet: later requests join it */
let pending = null;
/**
 * Classifies what is on the pad once the queue is free; requests made meanwhile share one run.
 * @param {boolean} announce also update the screen-reader sentence (not on every stroke sample)
 * @returns {Promise<Result>}
 */
function requestClassify(announce) {
  state.announce ||= announce;
  pending ??= serial(async () => {
    pending = null;
    const say = state.announce;
    state.announce = false;
    return classifyNow(say);
  });
  return pending;
}

/** @param {Uint8Array | null} pixels */
function drawPreview(pixels) {
  const ctx = /** @type {CanvasRenderingContext2D} */ (ui.preview.getContext('2d'));
  const img = ctx.createImageData(SIZE, SIZE);
  for (let i = 0; i < SIZE * SIZE; i++)
    img.data.set([pixels?.[i] ?? 0, pixels?.[i] ?? 0, pixels?.[i] ?? 0, 255], i * 4);
  ctx.putImageData(img, 0, 0);
}

/**
 * Preprocesses the pad and runs the model; renders the chart, the latency and (if `announce`) the
 * sentence in the live region.
 * @param {boolean} announce
 * @returns {Promise<Result>}
 */
async function classifyNow(announce) {
  const { gray, width, height } = pad.pixels();
  const t0 = performance.now();
  const pixels = toMnist(gray, width, height);
  const preprocessMs = performance.now() - t0;
  drawPreview(pixels);
  if (!pixels || !state.model || !state.entry) {
    renderChart(ui.chart, []);
    ui.digit.textContent = '?';
    ui.latency.textContent = '';
    if (announce) ui.prediction.textContent = state.model ? 'Nothing drawn yet.' : 'No model loaded.';
    state.last = null;
    return null;
  }
  const t1 = performance.now();
  const top = /** @type {Prediction[]} */ (await state.model.classify(pixels, { topK: 3 }));
  const latencyMs = performance.now() - t1;
  state.latencies = [...state.latencies.slice(-19), latencyMs];
  const median = [...state.latencies].sort((a, b) => a - b)[state.latencies.length >> 1];
  renderChart(ui.chart, top);
  ui.digit.textContent = top[0].label;
  ui.latency.textContent = `Inference ${millis(latencyMs)} on ${state.model.backend} (median of the last ${state.latencies.length}: ${millis(median)}; preprocessing ${millis(preprocessMs)})`;
  if (announce) ui.prediction.textContent = `Prediction: ${top[0].label}, ${percent(top[0].probability)} sure.`;
  state.last = { top, backend: state.model.backend, bundle: state.entry.name, latencyMs, preprocessMs };
  return state.last;
}

/**
 * The status line's parts: the bundle, the backend, its thread count (the wasm backend runs on several
 * threads when the page is cross-origin isolated, as the demo server's COOP/COEP headers make it) and
 * the runtime's reason for both.
 * @param {string} name
 * @param {import('webgrad').Model} model
 * @returns {(string | HTMLElement)[]}
 */
function runningOn(name, model) {
  const threads = model.threads ?? 1;
  const status = el('strong', `${threads} thread${threads === 1 ? '' : 's'}`);
  status.id = 'threads';
  status.dataset.threads = String(threads);
  return [
    'Running ',
    el('strong', name),
    ' on ',
    el('strong', model.backend),
    ', ',
    status,
    ` — ${model.backendReason}`,
  ];
}

/**
 * `?threads=N` (or `auto`) from the page's address, as a `loadModel` option; none by default (the
 * runtime's own default, 'auto').
 * @returns {{threads?: number | 'auto'}}
 */
function threadsOption() {
  const wanted = new URLSearchParams(location.search).get('threads');
  if (wanted === null) return {};
  return { threads: wanted === 'auto' ? 'auto' : Number(wanted) };
}

/**
 * Loads the bundle and backend chosen in the selects; on failure keeps the running model (if any),
 * puts the selects back to it and says what went wrong.
 */
async function loadSelected() {
  const request = ui.backend.value;
  const entry = state.index?.bundles.find((b) => b.name === ui.bundle.value);
  if (!entry) return;
  ui.status.textContent = `Loading ${entry.name} on ${request}…`;
  try {
    const model = await loadModel(entry.url, {
      backend: request,
      ...threadsOption(),
      onProgress: ({ loaded, total }) => {
        ui.status.textContent = `Loading ${entry.name} on ${request}… ${total ? Math.round((100 * loaded) / total) : 0}%`;
      },
    });
    const manifest = await (await fetch(`${entry.url}model.json`)).json();
    state.model?.dispose();
    Object.assign(state, { model, entry, request, latencies: [] });
    showMessage('');
    ui.status.replaceChildren(...runningOn(entry.name, model));
    renderCard(
      ui.card,
      cardRows(manifest, entry, state.index?.bundles.filter((b) => b.model === entry.model) ?? [entry]),
    );
  } catch (e) {
    const err = /** @type {Error & {code?: string}} */ (e);
    const server = entry.error ? ` (server check: ${entry.error})` : '';
    const kept = state.model && state.entry ? ` Still running ${state.entry.name} on ${state.model.backend}.` : '';
    showMessage(
      `Could not load ${entry.name} on backend '${request}': ${err.code ? `[${err.code}] ` : ''}${err.message}${server}.${kept}`,
    );
    if (state.model && state.entry) {
      ui.backend.value = state.request;
      ui.bundle.value = state.entry.name;
      ui.status.replaceChildren(...runningOn(state.entry.name, state.model));
    } else {
      ui.status.textContent = 'No model loaded.';
    }
  }
  await classifyNow(true);
}

/**
 * Fills the bundle `<select>`, grouped by model; broken bundles are marked but selectable (choosing
 * one shows why it cannot load).
 * @param {IndexEntry[]} bundles
 */
function renderBundleSelect(bundles) {
  const groups = new Map();
  for (const b of bundles) {
    if (!groups.has(b.model)) groups.set(b.model, Object.assign(el('optgroup'), { label: b.model }));
    const kind = b.trainable ? `${b.dtype}, trainable` : b.dtype;
    const option = el('option', `${b.model} · ${kind} · ${bytes(b.bytes)}${b.ok ? '' : ' (broken)'}`);
    option.value = b.name;
    groups.get(b.model).append(option);
  }
  ui.bundle.replaceChildren(...groups.values());
}

/** Reads the index and the backends, fills the controls, loads the first model. */
async function init() {
  ui.clear.addEventListener('click', () => pad.clear());
  ui.pad.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (['Escape', 'Delete', 'Backspace'].includes(e.key)) pad.clear();
  });
  const params = new URLSearchParams(location.search);
  const [response, backends] = await Promise.all([fetch('api/bundles'), listBackends()]);
  state.index = await response.json();
  state.backends = backends;
  const wanted = params.get('backend') ?? 'auto';
  renderBackendSelect(ui.backend, backends, wanted); // an unknown ?backend= selects auto
  renderBackendList(ui.list, backends);
  const index = /** @type {NonNullable<typeof state.index>} */ (state.index);
  if (index.packageError) showMessage(`The npm package cannot be served: ${index.packageError}`);
  if (!index.bundles.length) {
    showMessage(`No model to run: ${index.problem}`);
    ui.status.textContent = 'No model loaded.';
    ui.prediction.textContent = 'No model loaded.';
    teach.setup([], backends, null);
    return;
  }
  renderBundleSelect(index.bundles);
  const first =
    index.bundles.find((b) => b.name === params.get('bundle')) ??
    index.bundles.find((b) => b.model === index.defaultModel && b.ok) ??
    index.bundles.find((b) => b.ok) ??
    index.bundles[0];
  ui.bundle.value = first.name;
  const broken = index.bundles.filter((b) => !b.ok);
  await serial(loadSelected);
  teach.setup(index.bundles, backends, state.entry?.model ?? index.defaultModel);
  if (broken.length && !ui.message.textContent) {
    showMessage(
      `Broken bundle${broken.length > 1 ? 's' : ''} on the server: ${broken.map((b) => `${b.name}: ${b.error}`).join('; ')}`,
    );
  }
  ui.backend.addEventListener('change', () => serial(loadSelected));
  ui.bundle.addEventListener('change', () => serial(loadSelected));
}

/** What the page shows, for tests and the console. */
function snapshot() {
  return {
    bundle: state.entry?.name ?? null,
    backend: state.model?.backend ?? null,
    backendReason: state.model?.backendReason ?? null,
    threads: state.model ? (state.model.threads ?? 1) : null,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    request: state.request,
    message: ui.message.hidden ? '' : ui.message.textContent,
    status: ui.status.textContent,
    backends: state.backends,
    last: state.last,
  };
}

const ready = init().then(snapshot, (e) => {
  showMessage(`The demo could not start: ${/** @type {Error} */ (e).message}`);
  return snapshot();
});

/** @param {HTMLSelectElement} select @param {string} value */
const choose = (select, value) => {
  select.value = value;
  return serial(loadSelected).then(snapshot);
};

/** The hook: every call goes through the page's own controls and canvas input path. */
Object.assign(window, {
  webgradDemo: {
    ready,
    /** Paints `pixels` (0-255, `width` x `height`, default 28x28) onto the pad and classifies it like a drawing. */
    drawImage: (/** @type {ArrayLike<number>} */ pixels, width = SIZE, height = SIZE) => {
      pad.paint(pixels, width, height);
      return requestClassify(true);
    },
    clear: () => pad.clear(),
    setBackend: (/** @type {string} */ name) => choose(ui.backend, name),
    setBundle: (/** @type {string} */ name) => choose(ui.bundle, name),
    state: snapshot,
    /** The teaching panel: `state()` (examples, before/after scores, status, errors). */
    teach: { state: teach.state },
  },
});

/**
 * The page's "Text" panel: type a review, see its sentiment, the tokens as the model sees them and the
 * latency. The bundle (the first one listed by `/api/text-bundles`, exported with its tokenizer by
 * examples/text/sentiment.py) is loaded with the same npm package as the digits, on the wasm backend
 * (a tiny model: kernel launches would dominate on WebGPU). Classifications run one at a time, the
 * latest text winning. `window.webgradText` is a hook for tests and the console.
 * @module
 */

import { loadModel } from 'webgrad';
import { el, millis, percent } from './format.js';

const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
const ui = {
  off: $('text-off'),
  controls: $('text-controls'),
  input: /** @type {HTMLTextAreaElement} */ ($('text-input')),
  prediction: $('text-prediction'),
  latency: $('text-latency'),
  tokens: $('text-tokens'),
  about: $('text-about'),
};

/** @type {{model: any, bundle: string | null, busy: Promise<unknown>, latencies: number[]}} */
const state = { model: null, bundle: null, busy: Promise.resolve(), latencies: [] };

/**
 * Tokenizes and classifies `text`, renders the result and returns it.
 * @param {string} text
 */
async function classify(text) {
  const start = performance.now();
  const view = state.model.tokenize(text);
  const [result] = await state.model.classify(text, { topK: 2 });
  const latencyMs = performance.now() - start;
  state.latencies = [...state.latencies.slice(-19), latencyMs];
  const median = [...state.latencies].sort((a, b) => a - b)[Math.floor(state.latencies.length / 2)];
  ui.prediction.replaceChildren(
    el('strong', result.label),
    ` — ${percent(result.probability)} (${view.tokens.filter((/** @type {string} */ t, /** @type {number} */ i) => view.attentionMask[i]).length} tokens)`,
  );
  ui.latency.textContent = `Tokenize + classify ${millis(latencyMs)} on ${state.model.backend} (median of the last ${state.latencies.length}: ${millis(median)})`;
  const shown = [];
  for (let i = 0; i < view.tokens.length; i++) {
    if (!view.attentionMask[i]) continue; // padding: not part of the text
    const chip = el('li', view.tokens[i]);
    chip.title = `id ${view.ids[i]}`;
    if (view.ids[i] === state.model.tokenizer?.unkId) chip.className = 'unk';
    shown.push(chip);
  }
  ui.tokens.replaceChildren(...shown);
  return { label: result.label, probability: result.probability, tokens: shown.map((c) => c.textContent), latencyMs };
}

/**
 * Queues a classification of the current text (one at a time; a newer text replaces a queued one).
 * @param {string} text
 */
function schedule(text) {
  const run = state.busy.then(() => (ui.input.value === text ? classify(text) : null));
  state.busy = run.catch(() => null);
  return run;
}

async function start() {
  const response = await fetch('api/text-bundles');
  const { bundles } = await response.json();
  const entry = bundles.find((/** @type {any} */ b) => b.ok);
  if (!entry) {
    ui.off.textContent = 'No text model to run: bash scripts/main.sh trains and exports one into build/bundles/text/.';
    ui.off.hidden = false;
    return { bundle: null };
  }
  state.model = await loadModel(entry.url, { backend: 'wasm' });
  state.bundle = entry.name;
  ui.about.textContent = `${entry.name} on ${state.model.backend} (texts cut at ${state.model.tokenizer?.padding?.length ?? '?'} tokens)`;
  ui.controls.hidden = false;
  ui.input.addEventListener('input', () => schedule(ui.input.value).catch(showError));
  await schedule(ui.input.value);
  return { bundle: entry.name, backend: state.model.backend };
}

/** @param {unknown} error */
function showError(error) {
  ui.off.textContent = `Text panel: ${error instanceof Error ? error.message : String(error)}`;
  ui.off.hidden = false;
}

const ready = start().catch((error) => {
  showError(error);
  return { bundle: null, error: String(error) };
});

Object.assign(window, {
  webgradText: {
    ready,
    /** Types `text` into the box (as a user would) and resolves with what the panel shows. */
    async type(/** @type {string} */ text) {
      await ready;
      ui.input.value = text;
      return schedule(text);
    },
  },
});

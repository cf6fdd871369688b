/**
 * "Teach it your handwriting": the user draws on the page's pad, labels each drawing (or a mistake of
 * the model) and presses Train; the server's trainable bundle (`<model>-trainable`, formatVersion 2)
 * fine-tunes right here with the npm package's public training API (`loadModel(url, {trainable: true})`,
 * `evaluate`, `fit` with `onBatchEnd` and an AbortController's `signal`, `toBundle`), on wasm where the
 * browser has it (else js). Accuracy and loss on the user's examples are shown before and after;
 * "Download bundle" zips the fine-tuned bundle (`toBundle()`'s files in one folder).
 * @module
 */

import { loadModel } from 'webgrad';
import { el, percent } from './format.js';
import { SIZE, toMnist } from './preprocess.js';
import { renderSparkline } from './sparkline.js';
import { storedZip } from './zip.js';

/** @typedef {import('./card.js').IndexEntry} IndexEntry */
/** @typedef {{pixels: Uint8Array, label: number, before: number | null, after: number | null}} Example */
/** @typedef {{loss: number, accuracy?: number}} Score */

const MAX_BATCH = 16;
export const HOW_TO_EXPORT =
  'No trainable bundle on the server, so this panel is off. Make one with `bash scripts/main.sh` (it exports ' +
  'build/bundles/mnist_cnn-trainable), or in Python: wg.export(model, "build/bundles/mnist_cnn-trainable", ' +
  'trainable=True), then reload the page.';

const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));

/**
 * The model input of the examples: the bundle's preprocessing (`x * scale`, then `(x - mean) / std`) on
 * the 0-255 pixels, as `model.classify` would do it.
 * @param {readonly Example[]} examples
 * @param {{scale?: number, mean?: number | number[], std?: number | number[]} | undefined} pre
 */
export function modelInput(examples, pre = {}) {
  const one = (/** @type {number | number[] | undefined} */ v, /** @type {number} */ d) => {
    const n = Array.isArray(v) ? v[0] : v; // one channel: a per-channel list has one entry
    return typeof n === 'number' ? n : d;
  };
  const [scale, mean, std] = [one(pre.scale, 1), one(pre.mean, 0), one(pre.std, 1)];
  const data = new Float32Array(examples.length * SIZE * SIZE);
  examples.forEach((e, i) => {
    for (let j = 0; j < SIZE * SIZE; j++) data[i * SIZE * SIZE + j] = (e.pixels[j] * scale - mean) / std;
  });
  return {
    x: { data, shape: [examples.length, SIZE, SIZE, 1] },
    y: Int32Array.from(examples, (e) => e.label),
  };
}

/** Lets the browser paint and handle clicks (Cancel) between training steps. */
const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0));

/** @param {unknown} e */
const describe = (e) => {
  const err = /** @type {Error & {code?: string}} */ (e);
  return `${err.code ? `[${err.code}] ` : ''}${err.message ?? String(e)}`;
};

/**
 * Wires the panel. `setup` is called once the bundle index and the backends are known.
 * @param {{pad: import('./pad.js').DrawingPad}} deps
 */
export function initTeach({ pad }) {
  const ui = {
    panel: $('teach'),
    intro: $('teach-intro'),
    off: $('teach-off'),
    controls: $('teach-controls'),
    label: /** @type {HTMLSelectElement} */ ($('teach-label')),
    add: $('teach-add'),
    removeAll: $('teach-remove-all'),
    count: $('teach-count'),
    list: $('teach-examples'),
    epochs: /** @type {HTMLInputElement} */ ($('teach-epochs')),
    train: $('teach-train'),
    cancel: $('teach-cancel'),
    download: $('teach-download'),
    reset: $('teach-reset'),
    progress: /** @type {HTMLProgressElement} */ ($('teach-progress')),
    status: $('teach-status'),
    result: $('teach-result'),
    loss: /** @type {SVGSVGElement} */ ($('teach-loss')),
    error: $('teach-error'),
  };
  const st = {
    /** @type {Example[]} */
    examples: [],
    /** @type {IndexEntry | null} */
    entry: null,
    backend: 'wasm',
    /** @type {import('webgrad').Model | null} the model being fine-tuned (kept across Train presses) */
    model: null,
    /** @type {AbortController | null} */
    controller: null,
    busy: false,
    /** @type {{before: Score, after: Score, steps: number, cancelled: boolean} | null} */
    run: null,
    /** @type {number[]} */
    losses: [],
  };

  /** @param {string} text empty to hide */
  const showError = (text) => {
    ui.error.textContent = text;
    ui.error.hidden = !text;
  };

  function refresh() {
    const n = st.examples.length;
    const usable = Boolean(st.entry);
    ui.add.disabled = !usable || st.busy;
    ui.label.disabled = !usable || st.busy;
    ui.removeAll.disabled = !usable || st.busy || !n;
    ui.epochs.disabled = !usable || st.busy;
    ui.train.disabled = !usable || st.busy || !n;
    ui.cancel.disabled = !st.busy;
    ui.download.disabled = !usable || st.busy || !st.model || !st.run;
    ui.reset.disabled = !usable || st.busy || !st.model;
    for (const b of ui.list.querySelectorAll('button')) b.disabled = st.busy;
    const per = new Map();
    for (const e of st.examples) per.set(e.label, (per.get(e.label) ?? 0) + 1);
    const counts = [...per].sort((a, b) => a[0] - b[0]).map(([d, c]) => `${c}× ${d}`);
    ui.count.textContent = n
      ? `${n} example${n > 1 ? 's' : ''}: ${counts.join(', ')}.`
      : 'No examples yet: draw a digit above, pick what it is, then Add example (or press its digit key on the drawing area).';
  }

  /** Redraws the examples list: a thumbnail, the label, and the model's answer before/after training. */
  function renderExamples() {
    ui.list.replaceChildren(
      ...st.examples.map((e, i) => {
        const thumb = /** @type {HTMLCanvasElement} */ (el('canvas'));
        thumb.width = thumb.height = SIZE;
        thumb.setAttribute('aria-hidden', 'true');
        const ctx = /** @type {CanvasRenderingContext2D} */ (thumb.getContext('2d'));
        const img = ctx.createImageData(SIZE, SIZE);
        for (let j = 0; j < SIZE * SIZE; j++) img.data.set([e.pixels[j], e.pixels[j], e.pixels[j], 255], j * 4);
        ctx.putImageData(img, 0, 0);
        const said = (/** @type {number | null} */ p) => (p === null ? '' : `${p}${p === e.label ? ' ✓' : ' ✗'}`);
        const verdict =
          e.before === null ? '' : `model: ${said(e.before)}${e.after === null ? '' : ` → ${said(e.after)}`}`;
        const remove = el('button', '×', 'remove');
        remove.type = 'button';
        remove.setAttribute('aria-label', `Remove example ${i + 1} (a ${e.label})`);
        remove.addEventListener('click', () => {
          st.examples.splice(i, 1);
          renderExamples();
          refresh();
        });
        const item = el('li');
        item.dataset.label = String(e.label);
        item.append(thumb, el('span', String(e.label), 'label'), el('span', verdict, 'verdict'), remove);
        return item;
      }),
    );
  }

  /** @param {number} label */
  function addExample(label) {
    if (!st.entry || st.busy) return;
    const { gray, width, height } = pad.pixels();
    const pixels = toMnist(gray, width, height);
    if (!pixels) {
      showError('Nothing drawn yet: draw a digit on the drawing area first, then add it.');
      return;
    }
    showError('');
    st.examples.push({ pixels, label, before: null, after: null });
    renderExamples();
    refresh();
    ui.status.textContent = `Added a ${label} (${st.examples.length} example${st.examples.length > 1 ? 's' : ''}).`;
    pad.clear(); // ready for the next drawing
  }

  /** The trainable model, loaded on first use. */
  async function trainableModel() {
    if (st.model) return st.model;
    const entry = /** @type {IndexEntry} */ (st.entry);
    ui.status.textContent = `Loading ${entry.name} for training on ${st.backend}…`;
    st.model = await loadModel(entry.url, {
      backend: st.backend,
      trainable: true,
      signal: st.controller?.signal,
      onProgress: ({ loaded, total }) => {
        ui.status.textContent = `Loading ${entry.name} for training on ${st.backend}… ${total ? Math.round((100 * loaded) / total) : 0}%`;
      },
    });
    return st.model;
  }

  /**
   * The model's loss/accuracy on the examples, and its answer for each.
   * @param {import('webgrad').Model} model
   * @param {ReturnType<typeof modelInput>} data
   * @returns {Promise<{score: Score, predicted: number[]}>}
   */
  async function score(model, { x, y }) {
    const score = await model.evaluate(x, y);
    const out = /** @type {import('webgrad').Tensor} */ (await model.predict(x));
    const probs = /** @type {Float32Array} */ (await out.data());
    out.dispose();
    const k = probs.length / y.length;
    const predicted = Array.from(y, (_, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
      return best;
    });
    return { score, predicted };
  }

  async function train() {
    if (st.busy || !st.entry || !st.examples.length) return;
    const epochs = Math.round(Number(ui.epochs.value));
    if (!(epochs >= 1 && epochs <= 500)) {
      showError(`Epochs must be a whole number from 1 to 500 (got '${ui.epochs.value}').`);
      return;
    }
    showError('');
    st.busy = true;
    st.controller = new AbortController();
    const { signal } = st.controller;
    refresh();
    ui.cancel.focus(); // Train is disabled now: keep the keyboard user on a live control
    const examples = [...st.examples];
    /** @type {ReturnType<typeof modelInput> | null} made once the bundle's preprocessing is known */
    let data = null;
    const batchSize = Math.min(MAX_BATCH, examples.length);
    const perEpoch = Math.ceil(examples.length / batchSize);
    const total = epochs * perEpoch;
    let steps = 0;
    let epoch = 0;
    /** @type {Score | null} */
    let before = null;
    try {
      const model = await trainableModel();
      data = modelInput(examples, /** @type {any} */ (model.metadata)?.preprocessing);
      const first = await score(model, data);
      before = first.score;
      examples.forEach((e, i) => Object.assign(e, { before: first.predicted[i], after: null }));
      renderExamples();
      st.losses = [];
      ui.progress.max = total;
      ui.progress.value = 0;
      await model.fit(data.x, data.y, {
        epochs,
        batchSize,
        signal,
        onBatchEnd: async (_batch, logs) => {
          steps++;
          st.losses.push(logs.loss);
          ui.progress.value = steps;
          ui.status.textContent = `Training on ${model.backend}: epoch ${epoch + 1} of ${epochs}, step ${steps} of ${total}, loss ${logs.loss.toFixed(4)}`;
          renderSparkline(ui.loss, st.losses);
          await nextFrame();
        },
        onEpochEnd: (e) => {
          epoch = e + 1;
        },
      });
      await finish(model, data, examples, before, steps, total, false);
    } catch (e) {
      const err = /** @type {Error & {code?: string}} */ (e);
      if (err.code === 'EABORTED' || err.name === 'AbortError') {
        if (st.model && before && data) await finish(st.model, data, examples, before, steps, total, true);
        else ui.status.textContent = 'Cancelled before training started.';
      } else {
        showError(`Training failed: ${describe(e)}`);
        ui.status.textContent = 'Training stopped (see the message above).';
      }
    } finally {
      st.busy = false;
      st.controller = null;
      const hadFocus = document.activeElement === ui.cancel;
      refresh();
      if (hadFocus) ui.train.focus();
    }
  }

  /**
   * Scores the model after a run (whole or cancelled) and shows before → after.
   * @param {import('webgrad').Model} model
   * @param {ReturnType<typeof modelInput>} data
   * @param {Example[]} examples
   * @param {Score} before
   * @param {number} steps
   * @param {number} total
   * @param {boolean} cancelled
   */
  async function finish(model, data, examples, before, steps, total, cancelled) {
    const last = await score(model, data);
    examples.forEach((e, i) => (e.after = last.predicted[i]));
    renderExamples();
    st.run = { before, after: last.score, steps, cancelled };
    const acc = (/** @type {Score} */ s) => (s.accuracy === undefined ? '' : `accuracy ${percent(s.accuracy)}, `);
    ui.result.textContent =
      `On your ${examples.length === 1 ? 'example' : `${examples.length} examples`}: before ${acc(before)}loss ${before.loss.toFixed(4)}; ` +
      `after ${acc(last.score)}loss ${last.score.loss.toFixed(4)}.`;
    ui.status.textContent = cancelled
      ? `Cancelled after ${steps} of ${total} steps; the model keeps the steps it finished.`
      : `Done: ${steps} steps on ${model.backend}.`;
  }

  async function download() {
    if (!st.model || !st.entry || st.busy) return;
    try {
      const name = `${st.entry.model}-finetuned`;
      const map = await st.model.toBundle();
      const encoder = new TextEncoder();
      const files = Object.entries(map).map(([file, data]) => ({
        name: `${name}/${file}`,
        data: typeof data === 'string' ? encoder.encode(data) : /** @type {Uint8Array} */ (data),
      }));
      const url = URL.createObjectURL(
        new Blob([/** @type {BlobPart} */ (storedZip(files))], { type: 'application/zip' }),
      );
      const a = el('a');
      a.href = url;
      a.download = `${name}.zip`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      ui.status.textContent = `Saved ${name}.zip: unzip it and load the ${name} folder with loadModel or wg.load_model.`;
    } catch (e) {
      showError(`Could not make the bundle: ${describe(e)}`);
    }
  }

  function reset() {
    if (st.busy) return;
    st.model?.dispose();
    st.model = null;
    st.run = null;
    st.losses = [];
    for (const e of st.examples) Object.assign(e, { before: null, after: null });
    renderSparkline(ui.loss, []);
    renderExamples();
    ui.progress.value = 0;
    ui.result.textContent = '';
    ui.status.textContent = 'Back to the exported weights: the next Train starts from them.';
    refresh();
  }

  ui.add.addEventListener('click', () => addExample(Number(ui.label.value)));
  ui.removeAll.addEventListener('click', () => {
    st.examples = [];
    renderExamples();
    refresh();
  });
  ui.train.addEventListener('click', () => train());
  ui.cancel.addEventListener('click', () => st.controller?.abort());
  ui.download.addEventListener('click', () => download());
  ui.reset.addEventListener('click', () => reset());
  pad.canvas.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (/^[0-9]$/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      ui.label.value = e.key;
      addExample(Number(e.key));
    }
  });
  refresh();

  return {
    /**
     * Turns the panel on with the trainable bundle of `model` (else any trainable one), or off with
     * a message saying how to make one.
     * @param {IndexEntry[]} bundles
     * @param {{name: string, available: boolean}[]} backends
     * @param {string | null} model the model the page runs
     */
    setup(bundles, backends, model) {
      const trainable = bundles.filter((b) => b.trainable && b.ok);
      st.entry = trainable.find((b) => b.model === model) ?? trainable[0] ?? null;
      st.backend = backends.some((b) => b.name === 'wasm' && b.available) ? 'wasm' : 'js';
      ui.off.hidden = Boolean(st.entry);
      ui.off.textContent = st.entry ? '' : HOW_TO_EXPORT;
      ui.controls.hidden = !st.entry;
      if (st.entry) ui.intro.dataset.bundle = st.entry.name;
      ui.status.textContent = st.entry ? `Fine-tunes ${st.entry.name} on ${st.backend}, in this page.` : '';
      refresh();
    },
    /** What the panel shows, for tests and the console. */
    state: () => ({
      bundle: st.entry?.name ?? null,
      backend: st.model?.backend ?? st.backend,
      examples: st.examples.map((e) => ({
        label: e.label,
        pixels: Array.from(e.pixels),
        before: e.before,
        after: e.after,
      })),
      busy: st.busy,
      run: st.run,
      losses: [...st.losses],
      status: ui.status.textContent,
      result: ui.result.textContent,
      error: ui.error.hidden ? '' : ui.error.textContent,
      off: ui.off.hidden ? '' : ui.off.textContent,
    }),
  };
}

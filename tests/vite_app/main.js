/**
 * Loads a bundle with the npm package and classifies one digit; the result lands in #result
 * (data-label, data-backend, data-threads, and the probabilities in window.webgradResult) for the test to
 * read. Query: ?bundle=URL&digit=URL&backend=NAME&threads=N|auto (defaults: bundle/, digit.json, wasm, the
 * runtime's default — the wasm backend is the point: its .wasm and its worker script must have been
 * emitted and found by the bundler).
 */
import { loadModel } from 'webgrad';

const out = /** @type {HTMLElement} */ (document.getElementById('result'));
const params = new URLSearchParams(location.search);
const threads = params.get('threads');

async function main() {
  const model = await loadModel(new URL(params.get('bundle') ?? 'bundle/', location.href).href, {
    backend: params.get('backend') ?? 'wasm',
    ...(threads === null ? {} : { threads: threads === 'auto' ? 'auto' : Number(threads) }),
  });
  const digit = await (await fetch(params.get('digit') ?? 'digit.json')).json();
  const pixels = new Uint8Array(digit.pixels);
  const [best] = await model.classify(pixels, { topK: 1 });
  const probs = await model.predict({ data: Float32Array.from(pixels, (p) => p / 255), shape: [1, 28, 28, 1] });
  /** @type {any} */ (window).webgradResult = {
    backend: model.backend,
    threads: model.threads ?? 1,
    reason: model.backendReason,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    probs: Array.from(await probs.data()),
  };
  out.dataset.backend = model.backend;
  out.dataset.threads = String(model.threads ?? 1);
  out.dataset.label = best.label;
  out.textContent = `${best.label} (${(best.probability * 100).toFixed(1)}%) on ${model.backend}: ${model.backendReason}`;
  model.dispose();
}

main().catch((e) => {
  out.dataset.error = String(e?.message ?? e);
  out.textContent = `Error: ${out.dataset.error}`;
});

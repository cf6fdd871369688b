/**
 * Loads a bundle with the npm package and classifies one digit; the result lands in #result
 * (data-label, data-backend) for the test to read. Query: ?bundle=URL&digit=URL&backend=NAME
 * (defaults: bundle/, digit.json, wasm — the wasm backend is the point: its .wasm must have been
 * emitted and found by the bundler).
 */
import { loadModel } from 'webgrad';

const out = /** @type {HTMLElement} */ (document.getElementById('result'));
const params = new URLSearchParams(location.search);

async function main() {
  const model = await loadModel(new URL(params.get('bundle') ?? 'bundle/', location.href).href, {
    backend: params.get('backend') ?? 'wasm',
  });
  const digit = await (await fetch(params.get('digit') ?? 'digit.json')).json();
  const [best] = await model.classify(new Uint8Array(digit.pixels), { topK: 1 });
  out.dataset.backend = model.backend;
  out.dataset.label = best.label;
  out.textContent = `${best.label} (${(best.probability * 100).toFixed(1)}%) on ${model.backend}: ${model.backendReason}`;
}

main().catch((e) => {
  out.dataset.error = String(e?.message ?? e);
  out.textContent = `Error: ${out.dataset.error}`;
});

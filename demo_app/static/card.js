/**
 * The model card, from the bundle's own model.json and the server's index (sizes of the model's
 * other dtypes, test accuracy, export date — a bundle is written deterministically, so it carries
 * no date: the index gives its model.json's modification time).
 * @module
 */

import { bytes, el, percent, shape } from './format.js';

/**
 * @typedef {object} IndexEntry one bundle in /api/bundles
 * @property {string} name
 * @property {string} model
 * @property {string} dtype
 * @property {string} url
 * @property {number} bytes
 * @property {string | null} exported
 * @property {number | null} testAccuracy
 * @property {boolean} [trainable] the bundle has a training section (the teaching panel can fine-tune it)
 * @property {boolean} ok
 * @property {string | null} error
 */

/**
 * The rows of the card, as [term, description] pairs.
 * @param {any} manifest the parsed model.json
 * @param {IndexEntry} entry this bundle
 * @param {IndexEntry[]} siblings every bundle of the same model (this one included)
 * @returns {[string, string][]}
 */
export function cardRows(manifest, entry, siblings) {
  const io = (/** @type {any[]} */ list) => list.map((t) => `${t.name}: ${t.dtype} ${shape(t.shape)}`).join(', ');
  const counts = new Map();
  for (const node of manifest.graph?.nodes ?? []) counts.set(node.op, (counts.get(node.op) ?? 0) + 1);
  const tensors = manifest.weights?.tensors ?? [];
  const params = tensors.reduce(
    (/** @type {number} */ n, /** @type {any} */ t) =>
      n + t.shape.reduce((/** @type {number} */ a, /** @type {number} */ b) => a * b, 1),
    0,
  );
  const quantized = tensors.filter((/** @type {any} */ t) => t.quantization);
  const schemes = [...new Set(quantized.map((/** @type {any} */ t) => t.quantization.scheme))];
  const training = manifest.metadata?.training ?? {};
  const pre = manifest.metadata?.preprocessing;
  /** @type {[string, string][]} */
  const rows = [
    ['Model', `${entry.model} (${entry.name})`],
    ['Inputs', io(manifest.signature?.inputs ?? [])],
    ['Outputs', io(manifest.signature?.outputs ?? [])],
    ['Ops', [...counts].map(([op, n]) => (n > 1 ? `${op} ×${n}` : op)).join(', ')],
    ['Parameters', params.toLocaleString('en')],
    [
      'Size per dtype',
      siblings.map((s) => `${s.dtype} ${bytes(s.bytes)}${s.name === entry.name ? ' (this)' : ''}`).join(' · '),
    ],
    [
      'Quantization',
      quantized.length
        ? `${schemes.join(', ')} on ${quantized.length} of ${tensors.length} tensors (per output channel); the rest float32`
        : tensors.some((/** @type {any} */ t) => t.dtype === 'float16')
          ? 'float16 storage, float32 compute'
          : 'none (float32)',
    ],
    [
      'Test accuracy',
      entry.testAccuracy != null ? `${percent(entry.testAccuracy, 2)} (MNIST test set, this bundle)` : 'not recorded',
    ],
    [
      'Training',
      [
        training.epochs != null ? `${training.epochs} epoch${training.epochs === 1 ? '' : 's'}` : '',
        training.accuracy != null ? `accuracy ${percent(training.accuracy, 2)}` : '',
        training.val_accuracy != null ? `validation ${percent(training.val_accuracy, 2)}` : '',
      ]
        .filter(Boolean)
        .join(', ') || 'not recorded',
    ],
    [
      'Preprocessing',
      pre
        ? Object.entries(pre)
            .map(([k, v]) => `${k} ${typeof v === 'number' ? +v.toPrecision(4) : JSON.stringify(v)}`)
            .join(', ')
        : 'none',
    ],
    ['Labels', (manifest.metadata?.labels ?? []).join(' ')],
    [
      'Format',
      `${manifest.format} v${manifest.formatVersion}, op set v${manifest.opsetVersion}, by ${manifest.producer?.name ?? '?'} ${manifest.producer?.version ?? ''}`,
    ],
    [
      'Exported',
      entry.exported
        ? new Date(entry.exported)
            .toISOString()
            .replace('T', ' ')
            .replace(/\.\d+Z$/, ' UTC')
        : 'unknown',
    ],
  ];
  return rows;
}

/**
 * Renders the card into `dl`.
 * @param {HTMLDListElement} dl
 * @param {[string, string][]} rows
 */
export function renderCard(dl, rows) {
  dl.replaceChildren(...rows.flatMap(([term, text]) => [el('dt', term), el('dd', text)]));
}

/**
 * The top-k bar chart: one list item per class with its label, a bar and the probability, so the
 * chart reads as text too (the bars are decoration).
 * @module
 */

import { el, percent } from './format.js';

/** @typedef {{label: string, index: number, probability: number}} Prediction */

/**
 * Renders `top` into the list `ol` (empty `top`: clears it).
 * @param {HTMLOListElement} ol
 * @param {Prediction[]} top
 */
export function renderChart(ol, top) {
  ol.replaceChildren(
    ...top.map((p, rank) => {
      const li = el('li', '', rank === 0 ? 'bar top' : 'bar');
      const bar = el('span', '', 'fill');
      bar.style.width = percent(p.probability, 2);
      bar.setAttribute('aria-hidden', 'true');
      li.append(el('span', p.label, 'label'), el('span', '', 'track'), el('span', percent(p.probability), 'value'));
      /** @type {HTMLElement} */ (li.children[1]).append(bar);
      li.dataset.label = p.label;
      return li;
    }),
  );
}

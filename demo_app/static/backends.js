/**
 * The backend switch and the availability list: which backends this browser can run, and why not.
 * @module
 */

import { el } from './format.js';

/** @typedef {{name: string, available: boolean, reason: string, description: string}} BackendInfo */

/**
 * Fills the backend `<select>`: auto first, then every registered backend in the order `listBackends()`
 * gives (the runtime's `AUTO_ORDER`), unavailable ones marked (they stay selectable: choosing one says
 * why it cannot run instead of hiding it). A `value` that is none of them selects auto.
 * @param {HTMLSelectElement} select
 * @param {BackendInfo[]} backends
 * @param {string} value the current choice
 */
export function renderBackendSelect(select, backends, value) {
  const names = ['auto', ...backends.map((b) => b.name).filter((n) => n !== 'auto')];
  select.replaceChildren(
    ...names.map((name) => {
      const info = backends.find((b) => b.name === name);
      const text = name === 'auto' ? 'auto (best available)' : info && !info.available ? `${name} (unavailable)` : name;
      const option = el('option', text);
      option.value = name;
      return option;
    }),
  );
  select.value = names.includes(value) ? value : 'auto';
}

/**
 * Renders the availability of each backend with its reason.
 * @param {HTMLUListElement} ul
 * @param {BackendInfo[]} backends
 */
export function renderBackendList(ul, backends) {
  ul.replaceChildren(
    ...backends.map((b) => {
      const li = el('li', '', b.available ? 'available' : 'unavailable');
      li.dataset.backend = b.name;
      li.append(el('strong', b.name), ` — ${b.available ? 'available' : 'unavailable'}: ${b.reason}`);
      return li;
    }),
  );
}

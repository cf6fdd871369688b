/**
 * Small formatters shared by the page's views.
 * @module
 */

/**
 * A byte count for people: "900 KB", "1.23 MB".
 * @param {number} n
 */
export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

/**
 * A share as a percentage: 0.9876 → "98.8%".
 * @param {number} p
 * @param {number} [digits]
 */
export function percent(p, digits = 1) {
  return `${(p * 100).toFixed(digits)}%`;
}

/**
 * Milliseconds with a precision that fits the size: 0.042 → "0.042 ms", 12.3 → "12.3 ms".
 * @param {number} ms
 */
export function millis(ms) {
  return `${ms < 1 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
}

/**
 * A shape with its dynamic dims shown as "N": [null, 28, 28, 1] → "N×28×28×1".
 * @param {(number | null)[]} shape
 */
export function shape(shape) {
  return shape.map((d) => (d === null ? 'N' : String(d))).join('×');
}

/**
 * A new element with text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [text]
 * @param {string} [className]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, text = '', className = '') {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/**
 * How deeply a JSON text nests arrays and objects, found by one linear pass over the text before it is
 * parsed: JSON.parse itself copes with deep nesting, but every recursive walk after it (JSON.stringify,
 * Array.prototype.flat, a Python reader's json module) overflows its stack, so a bundle reader refuses
 * deep documents up front, with a typed error, in both languages alike.
 * @module
 */

/** The deepest nesting of arrays/objects a model.json may have (the top-level object counts as 1). */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * The offset of the first bracket that opens a container nested deeper than `limit`, or -1 if none
 * does. Brackets inside strings do not count. Linear in the length of `text` (a string is skipped by
 * searching for its closing quote; the backslashes before a quote are counted once per quote).
 * @param {string} text
 * @param {number} [limit]
 * @returns {number}
 * @example
 * tooDeepAt('[[1]]', 1); // 1
 * tooDeepAt('{"a": "[[[["}', 1); // -1
 */
export function tooDeepAt(text, limit = MAX_JSON_DEPTH) {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i);
      if (i < 0) return -1; // an unterminated string: the parser reports it
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limit) return i;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return -1;
}

/**
 * The offset of the quote that ends the string opened at `open`, or -1.
 * @param {string} text
 * @param {number} open
 */
function closingQuote(text, open) {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return -1;
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return at;
  }
}

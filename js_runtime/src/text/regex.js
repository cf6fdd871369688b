/**
 * Translates a `Replace` normalizer's pattern (Oniguruma, Ruby syntax, as `tokenizers` compiles it) into
 * an equivalent JavaScript regular expression with the `u` flag, keeping Oniguruma's meaning: Unicode
 * `\w \d \s`, `.` stops only at `\n`, `^ $` are line anchors. Constructs whose meaning differs and cannot
 * be expressed (inline options, possessive quantifiers, atomic groups, nested classes, `\b`, negated
 * shorthands inside a class...) are refused: ETOKENIZER naming the pattern.
 * @module
 */

import { WebgradError } from '../errors.js';
import { ONIG_DIGIT, ONIG_WORD, SPACE } from './unicode.js';

/** Escapes that mean the same in both, inside or outside a class. */
const SAME = { n: '\\n', t: '\\t', r: '\\r', f: '\\f', v: '\\v', a: '\\x07', e: '\\x1b' };
/** Shorthand classes: a group outside a class; `s` and `h` also as class contents. */
const SHORT = { w: ONIG_WORD, d: ONIG_DIGIT, s: `[${SPACE}]`, h: '[0-9a-fA-F]' };
/** Outside a class only. */
const ANCHORS = { A: '(?<![^])', z: '(?![^])', Z: '(?=\\n?(?![^]))' };

/**
 * @param {string} source the Oniguruma pattern
 * @param {string} file for messages
 * @returns {RegExp} global, unicode
 */
export function translateRegex(source, file) {
  /** @param {string} why @returns {never} */
  const refuse = (why) => {
    throw new WebgradError(
      'ETOKENIZER',
      `${file}: Replace pattern ${JSON.stringify(source)}: ${why} has no exact JavaScript equivalent (unsupported)`,
    );
  };
  let out = '';
  let inClass = false;
  const cps = [...source];
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    if (c === '\\') {
      const e = cps[++i];
      if (e === undefined) refuse('a trailing backslash');
      const lower = e.toLowerCase();
      if (Object.hasOwn(SAME, e)) out += SAME[/** @type {keyof typeof SAME} */ (e)];
      else if (Object.hasOwn(SHORT, lower)) {
        const set = SHORT[/** @type {keyof typeof SHORT} */ (lower)];
        if (!inClass) out += e === lower ? set : `(?:(?!${set})[^])`;
        else if (e === lower && set.startsWith('[')) out += set.slice(1, -1);
        else refuse(`\\${e} inside a character class`);
      } else if (!inClass && Object.hasOwn(ANCHORS, e)) out += ANCHORS[/** @type {keyof typeof ANCHORS} */ (e)];
      else if (inClass && e === 'b') out += '\\x08';
      else if (e === 'x' && cps[i + 1] === '{') {
        const end = cps.indexOf('}', i);
        out += `\\u{${cps.slice(i + 2, end).join('')}}`;
        i = end;
      } else if (e === 'x' || e === 'u' || e === 'p' || e === 'P' || (!inClass && /[1-9k]/.test(e))) {
        out += `\\${e}`; // \xHH \uHHHH \p{..} backreferences: the RegExp constructor checks the rest
      } else if (/[\p{L}\p{N}]/u.test(e)) refuse(`\\${e}`);
      else out += `\\u{${/** @type {number} */ (e.codePointAt(0)).toString(16)}}`;
    } else if (inClass) {
      if (c === '[' || (c === '&' && cps[i + 1] === '&')) refuse('a nested or intersected character class');
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (cps[i + 1] === '^') out += cps[++i];
      if (cps[i + 1] === ']') refuse("a ']' first in a class");
    } else if (c === '.') out += '[^\\n]';
    else if (c === '^') out += '(?<![^\\n])';
    else if (c === '$') out += '(?![^\\n])';
    else if (c === '(' && cps[i + 1] === '?' && !/^(?::|=|!|<=|<!|<[A-Za-z])/.test(cps.slice(i + 2, i + 4).join('')))
      refuse('an inline option, atomic group or comment');
    else if (/[*+?}]/.test(c) && cps[i + 1] === '+') refuse('a possessive quantifier');
    else if (c === '{' && cps[i + 1] === ',') out += '{0';
    else out += c;
  }
  try {
    return new RegExp(out, 'gu');
  } catch (e) {
    return refuse(`a construct JavaScript rejects (${/** @type {Error} */ (e).message})`);
  }
}

/**
 * The tokenizer.json components webgrad supports, each built from its JSON into a plain function:
 * normalizers (string -> string), pre-tokenizers (words -> words, offsets are not needed for ids).
 * Anything else is refused with ETOKENIZER naming the component and the supported ones.
 * @module
 */

import { WebgradError } from '../errors.js';
import { translateRegex } from './regex.js';
import { MARK, MARK_NONSPACING, NORM_KEEP, PUNCT, SPACE, WORD, isControl } from './unicode.js';

/** @typedef {Record<string, any>} Json */
/** @typedef {(text: string) => string} Normalizer */
/** @typedef {(words: string[]) => string[]} PreTokenizer */

/**
 * ETOKENIZER: `what` of type `type` is not one webgrad reads.
 * @param {string} file @param {string} what @param {unknown} type @param {string[]} supported
 * @returns {never}
 */
export function unsupported(file, what, type, supported) {
  throw new WebgradError(
    'ETOKENIZER',
    `${file}: unsupported ${what} ${JSON.stringify(type)} (supported: ${supported.join(', ')})`,
  );
}

const CJK =
  /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2a6df}\u{2a700}-\u{2b81f}\u{2b920}-\u{2ceaf}\u{2f800}-\u{2fa1f}]/gu;
const CLEAN = /[\0\ufffd\p{Cc}\p{Cf}\p{Co}\p{White_Space}]/gu;
const IS_SPACE = new RegExp(`^[${SPACE}]$`, 'u');

/**
 * Lowercases each code point on its own (no final-sigma rule), as Rust's `char::to_lowercase` does.
 * Only Σ lowercases differently in context, so a string without it takes the fast path.
 * @param {string} s
 */
export function lowercase(s) {
  return s.includes('\u03a3') ? s.replace(/\u03a3/g, '\u03c3').toLowerCase() : s.toLowerCase();
}

/**
 * Removes the marks of `t` (a table of unicode.js): a callback only for the engine's marks.
 * @param {{fast: string, unknown: RegExp}} t
 * @returns {Normalizer}
 */
const stripping = (t) => {
  const re = new RegExp(`[${t.fast}]`, 'gu');
  return (s) => s.replace(re, (c) => (t.unknown.test(c) ? c : ''));
};
const stripMarks = stripping(MARK);
const stripNonspacing = stripping(MARK_NONSPACING);

/**
 * Unicode normalization, leaving alone the code points that `tokenizers`' tables do not know.
 * @param {'NFC' | 'NFD' | 'NFKC' | 'NFKD'} form
 * @returns {Normalizer}
 */
const normalization = (form) => (s) =>
  NORM_KEEP.test(s)
    ? s
        .split(NORM_KEEP)
        .map((part, i) => (i % 2 ? part : part.normalize(form)))
        .join('')
    : s.normalize(form);
const nfd = normalization('NFD');

/** @type {Record<string, (j: Json, file: string) => Normalizer>} */
const NORMALIZERS = {
  Lowercase: () => lowercase,
  NFC: () => normalization('NFC'),
  NFD: () => nfd,
  NFKC: () => normalization('NFKC'),
  NFKD: () => normalization('NFKD'),
  StripAccents: () => stripMarks,
  Replace: (j, file) => {
    const content = j.content;
    const p = j.pattern ?? {};
    const keys = Object.keys(p);
    if (typeof content !== 'string' || keys.length !== 1 || typeof p[keys[0]] !== 'string')
      return unsupported(file, 'Replace', JSON.stringify(j).slice(0, 60), [
        '{pattern: {Regex | String: string}, content: string}',
      ]);
    if (typeof p.String === 'string') return (s) => s.split(p.String).join(content);
    if (typeof p.Regex !== 'string') return unsupported(file, 'Replace pattern', p, ['String', 'Regex']);
    const re = translateRegex(p.Regex, file);
    return (s) => s.replace(re, () => content);
  },
  BertNormalizer: (json, file) => {
    // absent flags default as in Python's reader: true (strip_accents: null, i.e. as lowercase)
    /** @type {Json} */
    const j = { clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true, ...json };
    for (const key of ['clean_text', 'handle_chinese_chars', 'strip_accents', 'lowercase'])
      if (typeof j[key] !== 'boolean' && !(key === 'strip_accents' && j[key] === null))
        unsupported(file, `BertNormalizer.${key}`, j[key], ['true', 'false']);
    const strip = j.strip_accents ?? j.lowercase;
    return (s) => {
      if (j.clean_text) s = s.replace(CLEAN, (c) => (isControl(c) ? '' : IS_SPACE.test(c) ? ' ' : c));
      if (j.handle_chinese_chars) s = s.replace(CJK, ' $& ');
      if (strip) s = stripNonspacing(nfd(s));
      return j.lowercase ? lowercase(s) : s;
    };
  },
  Sequence: (j, file) => {
    const parts = (j.normalizers ?? []).map((/** @type {Json} */ n) => normalizer(n, file));
    return (s) => parts.reduce((/** @type {string} */ t, /** @type {Normalizer} */ f) => f(t), s);
  },
};

/**
 * @param {Json | null} j the `normalizer` of tokenizer.json
 * @param {string} file
 * @returns {Normalizer}
 */
export function normalizer(j, file) {
  if (j === null) return (s) => s;
  const make = Object.hasOwn(NORMALIZERS, j?.type) ? NORMALIZERS[j.type] : null;
  return make ? make(j, file) : unsupported(file, 'normalizer', j?.type, Object.keys(NORMALIZERS));
}

/**
 * Splits each word into the matches of `fast`, or of `exact` for a word holding a code point that the
 * reference's tables do not know (see unicode.js).
 * @param {string} fast @param {string} exact regex sources @param {RegExp} unknown
 * @returns {PreTokenizer}
 */
const splitBy = (fast, exact, unknown) => {
  const quick = new RegExp(fast, 'gu');
  const slow = new RegExp(exact, 'gu');
  return (words) => words.flatMap((w) => w.match(unknown.test(w) ? slow : quick) ?? []);
};

/** @type {Record<string, (j: Json, file: string) => PreTokenizer>} */
const PRE_TOKENIZERS = {
  // `\w+|[^\w\s]+`; BERT: each punctuation mark alone, runs of anything else but whitespace
  Whitespace: () =>
    splitBy(
      `[${WORD.fast}]+|[^${WORD.fast}${SPACE}]+`,
      `${WORD.exact}+|(?:(?!${WORD.exact})[^${SPACE}])+`,
      WORD.unknown,
    ),
  WhitespaceSplit: () => splitBy(`[^${SPACE}]+`, `[^${SPACE}]+`, /(?!)/),
  BertPreTokenizer: () =>
    splitBy(
      `[${PUNCT.fast}]|[^${PUNCT.fast}${SPACE}]+`,
      `${PUNCT.exact}|(?:(?!${PUNCT.exact})[^${SPACE}])+`,
      PUNCT.unknown,
    ),
  Sequence: (j, file) => {
    const parts = (j.pretokenizers ?? []).map((/** @type {Json} */ p) => preTokenizer(p, file));
    return (words) => parts.reduce((/** @type {string[]} */ w, /** @type {PreTokenizer} */ f) => f(w), words);
  },
};

/**
 * @param {Json | null} j the `pre_tokenizer` of tokenizer.json
 * @param {string} file
 * @returns {PreTokenizer}
 */
export function preTokenizer(j, file) {
  if (j === null) return (w) => w;
  const make = Object.hasOwn(PRE_TOKENIZERS, j?.type) ? PRE_TOKENIZERS[j.type] : null;
  return make ? make(j, file) : unsupported(file, 'pre_tokenizer', j?.type, Object.keys(PRE_TOKENIZERS));
}

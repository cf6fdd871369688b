/**
 * A Hugging Face `tokenizer.json` (the subset webgrad writes, see docs/tokenizer_runtime.md) as a
 * tokenizer giving the same ids as the `tokenizers` library: normalize, pre-tokenize, WordLevel or
 * WordPiece, truncate (right), add the single-sequence template, pad (right). This module is its own
 * chunk: the loader imports it only for a bundle with a `tokenizer` section.
 * @module
 */

import { WebgradError } from '../errors.js';
import { normalizer, preTokenizer, unsupported } from './components.js';

/** @typedef {import('./components.js').Json} Json */
/** @typedef {{ids: Int32Array, attentionMask: Int32Array, tokens: string[]}} Encoding */
/** @typedef {{id: number, token: string}[]} Pieces */

/**
 * @param {string} file @param {string} message
 * @returns {never}
 */
function bad(file, message) {
  throw new WebgradError('ETOKENIZER', `${file}: ${message}`);
}

/**
 * The vocabulary and the id of its unknown token.
 * @param {Json} m @param {string} file
 */
function vocabOf(m, file) {
  if (!m.vocab || typeof m.vocab !== 'object' || Array.isArray(m.vocab)) bad(file, 'model.vocab must be an object');
  /** @type {Map<string, number>} */
  const vocab = new Map();
  for (const [token, id] of Object.entries(m.vocab)) {
    if (!Number.isSafeInteger(id) || id < 0) bad(file, `model.vocab[${JSON.stringify(token)}] must be an id >= 0`);
    vocab.set(token, id);
  }
  if (new Set(vocab.values()).size !== vocab.size) bad(file, 'model.vocab has duplicate ids (one token per id)');
  const unk = vocab.get(m.unk_token);
  if (unk === undefined) bad(file, `model.unk_token ${JSON.stringify(m.unk_token)} is not in the vocabulary`);
  return { vocab, unk };
}

/** @typedef {((word: string, out: Pieces) => void) & {unkId: number}} Model */
/** @type {Record<string, (m: Json, file: string) => Model>} */
const MODELS = {
  WordLevel: (m, file) => {
    const { vocab, unk } = vocabOf(m, file);
    return Object.assign(
      (/** @type {string} */ word, /** @type {Pieces} */ out) => {
        const id = vocab.get(word);
        out.push(id === undefined ? { id: unk, token: m.unk_token } : { id, token: word });
      },
      { unkId: unk },
    );
  },
  // greedy longest-match-first over code points; a word with an unmatched rest, or longer than
  // max_input_chars_per_word code points, is one unknown token
  WordPiece: (m, file) => {
    const { vocab, unk } = vocabOf(m, file);
    const prefix = m.continuing_subword_prefix ?? '##';
    const max = m.max_input_chars_per_word ?? 100;
    if (typeof prefix !== 'string') bad(file, 'model.continuing_subword_prefix must be a string');
    if (!Number.isSafeInteger(max) || max < 1) bad(file, 'model.max_input_chars_per_word must be an integer >= 1');
    // no piece is longer than the longest entry: shorter candidates only (same result, far fewer lookups)
    let longest = 0;
    for (const token of vocab.keys()) longest = Math.max(longest, token.length);
    return Object.assign(
      (/** @type {string} */ word, /** @type {Pieces} */ out) => {
        const whole = word.length <= max ? vocab.get(word) : undefined;
        if (whole !== undefined) return void out.push({ id: whole, token: word });
        /** code unit offsets of the code points, and the end */
        const at = [];
        for (let i = 0; i < word.length; i += (word.codePointAt(i) ?? 0) > 0xffff ? 2 : 1) at.push(i);
        at.push(word.length);
        /** @type {Pieces} */
        const pieces = [];
        let ok = at.length - 1 <= max;
        for (let s = 0; ok && s < at.length - 1;) {
          const head = s ? prefix : '';
          let e = at.length - 1;
          while (e > s && head.length + at[e] - at[s] > longest) e--;
          for (; e > s; e--) {
            const token = head + word.slice(at[s], at[e]);
            const id = vocab.get(token);
            if (id !== undefined) {
              pieces.push({ id, token });
              break;
            }
          }
          ok = e > s;
          s = e;
        }
        if (ok) out.push(...pieces);
        else out.push({ id: unk, token: m.unk_token });
      },
      { unkId: unk },
    );
  },
};

/** The single-sequence template: special tokens before and after `$A`. */
function template(/** @type {Json | null} */ p, /** @type {string} */ file) {
  if (p === null) return { before: [], after: [] };
  if (p.type !== 'TemplateProcessing') return unsupported(file, 'post_processor', p.type, ['TemplateProcessing']);
  /** @type {Pieces[]} */
  const parts = [[], []];
  let side = 0;
  for (const item of p.single ?? []) {
    if (item.Sequence) {
      if (item.Sequence.id !== 'A' || side) bad(file, 'post_processor.single must hold $A once');
      side = 1;
    } else {
      const special = p.special_tokens?.[item.SpecialToken?.id];
      if (!special || !Array.isArray(special.ids) || special.ids.length !== special.tokens?.length)
        bad(file, `post_processor: special token ${JSON.stringify(item.SpecialToken?.id)} is not defined`);
      special.ids.forEach((/** @type {number} */ id, /** @type {number} */ i) =>
        parts[side].push({ id, token: special.tokens[i] }),
      );
    }
  }
  if (!side) bad(file, 'post_processor.single must hold $A');
  return { before: parts[0], after: parts[1] };
}

/** A tokenizer built from a parsed tokenizer.json. */
export class Tokenizer {
  /**
   * @param {Json} json the parsed tokenizer.json
   * @param {string} [file] for messages (default 'tokenizer.json')
   */
  constructor(json, file = 'tokenizer.json') {
    if (!json || typeof json !== 'object' || Array.isArray(json)) bad(file, 'expected a JSON object');
    if (Array.isArray(json.added_tokens) && json.added_tokens.length)
      bad(file, 'added_tokens must be empty (special-token splitting of raw text is not supported)');
    const m = json.model ?? {};
    const make = Object.hasOwn(MODELS, m.type) ? MODELS[m.type] : null;
    if (!make) unsupported(file, 'model', m.type, Object.keys(MODELS));
    this.normalize = normalizer(json.normalizer ?? null, file);
    this.preTokenize = preTokenizer(json.pre_tokenizer ?? null, file);
    /** Appends a word's tokens to `out`. */
    this.model = /** @type {NonNullable<typeof make>} */ (make)(m, file);
    this.template = template(json.post_processor ?? null, file);
    /** The tokenizer.json bytes it was read from, when a bundle's loader set them (for `toBundle`). */
    /** @type {Uint8Array | null} */
    this.source = null;
    /** The post-processor's type, or null. */
    this.postProcessor = json.post_processor?.type ?? null;
    // truncation only with Fixed padding of the same length (the ids then always have that length)
    const t = json.truncation ?? null;
    const p = json.padding ?? null;
    const fixed = p?.strategy?.Fixed;
    if (p !== null && (p.direction !== 'Right' || !(fixed >= 1) || p.pad_to_multiple_of != null))
      bad(
        file,
        `padding must be {strategy: {Fixed: n}, direction: 'Right', pad_to_multiple_of: null}, got ${JSON.stringify(p)}`,
      );
    if (t !== null && (t.direction !== 'Right' || (t.stride ?? 0) !== 0 || t.max_length !== fixed))
      bad(
        file,
        `truncation must be direction 'Right', stride 0, max_length the padding length (${fixed}), got ${JSON.stringify(t)}`,
      );
    const extra = this.template.before.length + this.template.after.length;
    if (t !== null && t.max_length < extra)
      bad(file, `truncation.max_length ${t.max_length} leaves no room for the text`);
    /** Most model tokens kept (before the template's tokens are added), or Infinity. */
    this.maxTokens = t ? t.max_length - extra : Infinity;
    /** The padded length, pad id and token; null without padding. */
    this.padding = p && { length: /** @type {number} */ (fixed), id: p.pad_id ?? 0, token: p.pad_token ?? '[PAD]' };
    /** The id unknown words get. */
    this.unkId = this.model.unkId;
    /** The model type, 'WordLevel' or 'WordPiece'. */
    this.type = m.type;
  }

  /**
   * Ids, attention mask and tokens of one text, as `tokenizers`' `encode(text)` gives them.
   * @param {string} text
   * @returns {Encoding}
   */
  encode(text) {
    const normalized = this.normalize(text);
    /** @type {Pieces} */
    let pieces = [];
    for (const word of this.preTokenize(normalized ? [normalized] : [])) this.model(word, pieces);
    if (pieces.length > this.maxTokens) pieces = pieces.slice(0, this.maxTokens);
    pieces = [...this.template.before, ...pieces, ...this.template.after];
    const n = Math.max(pieces.length, this.padding?.length ?? 0);
    const ids = new Int32Array(n).fill(this.padding?.id ?? 0);
    const attentionMask = new Int32Array(n);
    const tokens = new Array(n).fill(this.padding?.token);
    pieces.forEach((p, i) => {
      ids[i] = p.id;
      attentionMask[i] = 1;
      tokens[i] = p.token;
    });
    return { ids, attentionMask, tokens };
  }
}

/**
 * Parses tokenizer.json bytes and builds its tokenizer; ETOKENIZER naming `file` when the bytes are not
 * JSON or use a component outside the supported subset.
 * @param {Uint8Array | string} bytes
 * @param {string} [file]
 */
export function parseTokenizer(bytes, file = 'tokenizer.json') {
  let json;
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    bad(file, `not valid JSON (${/** @type {Error} */ (e).message})`);
  }
  return new Tokenizer(json, file);
}

/**
 * The `tokenizer` section of a text bundle (formatVersion 3) and its file: a Hugging Face tokenizer.json
 * that turns texts into the ids of one signature input. The loader imports this module (with the
 * tokenizer, src/text/) only for a bundle that has the section. Mirrors exporter/bundle_tokenizer.py:
 * - ESCHEMA: the section's structure, or an `input` that is not an int32 [null, sequenceLength] signature
 *   input;
 * - ELIMIT: a declared size over `maxModelJsonBytes`;
 * - ETOKENIZER, naming the file: missing, of another size, another checksum, not UTF-8 JSON, outside the
 *   supported subset (the component named), or disagreeing with the section (model, sequenceLength,
 *   padId, unkId).
 * @module
 */

import { WebgradError, throwIfAborted } from '../errors.js';
import { Checker } from './manifest.js';
import { sha256Hex } from './sha256.js';
import { parseTokenizer } from '../text/tokenizer.js';

/** @typedef {import('./manifest.js').Manifest} Manifest */
/** @typedef {import('../text/tokenizer.js').Tokenizer} Tokenizer */
/**
 * @typedef {{file: string, byteLength: number, sha256: string, input: string, sequenceLength: number,
 *   model: 'WordLevel' | 'WordPiece', padId: number, unkId: number}} TokenizerJson
 *   the `tokenizer` section of model.json (formatVersion 3)
 */

const KEYS = ['file', 'byteLength', 'sha256', 'input', 'sequenceLength', 'model', 'padId', 'unkId'];

/**
 * The section's structure and its agreement with the signature (ESCHEMA naming the field).
 * @param {Manifest} m a manifest `checkStructure` accepted, with a `tokenizer` section
 * @param {string} where
 */
export function checkTokenizerSection(m, where) {
  const c = new Checker(where);
  const path = '$.tokenizer';
  const t = c.object(/** @type {unknown} */ (m.tokenizer), path, KEYS);
  c.string(t.file, `${path}.file`, '', /^[A-Za-z0-9][A-Za-z0-9_.-]*\.json$/);
  c.integer(t.byteLength, `${path}.byteLength`, '', 1);
  c.string(t.sha256, `${path}.sha256`, '', /^[0-9a-f]{64}$/);
  c.string(t.input, `${path}.input`, '');
  c.integer(t.sequenceLength, `${path}.sequenceLength`, '', 1);
  if (t.model !== 'WordLevel' && t.model !== 'WordPiece')
    c.fail(`${path}.model`, '', `expected 'WordLevel' or 'WordPiece', got ${JSON.stringify(t.model)}`);
  c.integer(t.padId, `${path}.padId`, '');
  c.integer(t.unkId, `${path}.unkId`, '');
  const spec = m.signature.inputs.find((s) => s.name === t.input);
  if (!spec)
    c.fail(
      `${path}.input`,
      '',
      `${JSON.stringify(t.input)} is not a signature input (${m.signature.inputs.map((s) => s.name).join(', ')})`,
    );
  else if (
    spec.dtype !== 'int32' ||
    spec.shape.length !== 2 ||
    spec.shape[0] !== null ||
    spec.shape[1] !== t.sequenceLength
  )
    c.fail(
      `${path}.input`,
      t.input,
      `the input is ${spec.dtype} [${spec.shape.join(', ')}]; the ids of a tokenizer are int32 [null, ${t.sequenceLength}] (sequenceLength)`,
    );
}

/**
 * Reads, checks and builds the bundle's tokenizer (see the module doc).
 * @param {import('./source.js').Source} src
 * @param {Manifest & {tokenizer: TokenizerJson}} m
 * @param {{signal?: AbortSignal, timeoutMs: number, maxModelJsonBytes: number}} options
 * @returns {Promise<Tokenizer>}
 */
export async function readTokenizer(src, m, { signal, timeoutMs, maxModelJsonBytes }) {
  const t = m.tokenizer;
  const file = src.describe(t.file);
  /** @param {string} message @returns {never} */
  const bad = (message) => {
    throw new WebgradError('ETOKENIZER', `${file}: ${message}`);
  };
  if (t.byteLength > maxModelJsonBytes)
    throw new WebgradError(
      'ELIMIT',
      `${file}: model.json declares ${t.byteLength} bytes for ${t.file}, over maxModelJsonBytes (${maxModelJsonBytes} bytes)`,
    );
  const check = (/** @type {number} */ n) => {
    if (n > t.byteLength) bad(`${t.file} has more than the ${t.byteLength} bytes model.json lists`);
  };
  const bytes = await src.read(t.file, { signal, check, timeoutMs });
  throwIfAborted(signal, `reading ${file}`);
  if (bytes === null) bad(`missing ${t.file} (model.json lists it with ${t.byteLength} bytes)`);
  if (bytes.byteLength !== t.byteLength)
    bad(`${t.file} has ${bytes.byteLength} bytes; model.json says ${t.byteLength}`);
  const digest = await sha256Hex(bytes);
  if (digest !== t.sha256)
    bad(`sha256 mismatch: model.json says ${t.sha256}, ${t.file} hashes to ${digest} (corrupted or replaced)`);
  const tokenizer = parseTokenizer(bytes, file);
  // a bundle's subset has no post-processor (as Python's reader): the ids are the text's tokens only
  if (tokenizer.postProcessor !== null)
    bad(`unsupported post_processor ${JSON.stringify(tokenizer.postProcessor)} in a bundle (supported: null)`);
  const facts = [
    ['model', tokenizer.type, t.model],
    ['sequenceLength (padding and truncation length)', tokenizer.padding?.length, t.sequenceLength],
    ['padId', tokenizer.padding?.id, t.padId],
    ['unkId', tokenizer.unkId, t.unkId],
  ];
  for (const [what, got, want] of facts)
    if (got !== want)
      bad(`${t.file} has ${what} ${JSON.stringify(got)}; model.json's tokenizer section says ${JSON.stringify(want)}`);
  tokenizer.source = bytes; // the verified file, which toBundle writes back unchanged
  return tokenizer;
}

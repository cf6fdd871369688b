// The npm package's tokenizer (js_runtime/src/text/) and text bundles: units of each component with
// values Hugging Face `tokenizers` gives (tests/test_tokenizer_parity.py compares the two on whole data
// sets and every code point), the errors (ETOKENIZER naming the file and component, EINPUT for bad texts),
// real text bundles exported by Python (ids and probabilities equal to the Python runner's), the CLI's
// --text, and the size and laziness of the tokenizer chunk.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureIndex, fixturesDir } from './_helpers.mjs';
import { WebgradError, loadModel, saveBundle } from '../../js_runtime/src/index.js';
import { Tokenizer, parseTokenizer } from '../../js_runtime/src/text/tokenizer.js';
import { translateRegex } from '../../js_runtime/src/text/regex.js';
import { main } from '../../js_runtime/src/cli/main.js';
import { eagerSet } from '../../js_runtime/scripts/build-dist.mjs';

const KERAS_PUNCTUATION = '[!"#$%&()\\*\\+,-\\./:;<=>?@\\[\\\\\\]^_`{|}~\\\']';
const VOCAB = { '[PAD]': 0, '[UNK]': 1, what: 2, a: 3, great: 4, film: 5 };

/** A tokenizer.json document, as `tokenizers` writes it, with `parts` replacing its sections. */
function doc(parts = {}) {
  return {
    version: '1.0',
    truncation: { direction: 'Right', max_length: 6, strategy: 'LongestFirst', stride: 0 },
    padding: {
      strategy: { Fixed: 6 },
      direction: 'Right',
      pad_to_multiple_of: null,
      pad_id: 0,
      pad_type_id: 0,
      pad_token: '[PAD]',
    },
    added_tokens: [],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'Lowercase' }, { type: 'Replace', pattern: { Regex: KERAS_PUNCTUATION }, content: '' }],
    },
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab: VOCAB, unk_token: '[UNK]' },
    ...parts,
  };
}

const encode = (parts, text) => new Tokenizer(doc(parts)).encode(text);

test('WordLevel with the TextVectorization pipeline: lowercase, punctuation stripped, unknown words, padding', () => {
  const e = encode({}, 'What a GREAT film!!! (really)');
  assert.deepEqual(Array.from(e.ids), [2, 3, 4, 5, 1, 0]);
  assert.deepEqual(Array.from(e.attentionMask), [1, 1, 1, 1, 1, 0]);
  assert.deepEqual(e.tokens, ['what', 'a', 'great', 'film', '[UNK]', '[PAD]']);
  assert.ok(e.ids instanceof Int32Array && e.attentionMask instanceof Int32Array);
});

test('texts past the sequence length are truncated on the right; empty texts are all padding', () => {
  assert.deepEqual(Array.from(encode({}, 'a a a a a a a a film').ids), [3, 3, 3, 3, 3, 3]);
  const empty = encode({}, '');
  assert.deepEqual(
    [Array.from(empty.ids), Array.from(empty.attentionMask)],
    [new Array(6).fill(0), new Array(6).fill(0)],
  );
  assert.deepEqual(Array.from(encode({}, ' \t\u3000\n ').attentionMask), new Array(6).fill(0));
});

test('Lowercase is per code point (no final sigma), İ becomes i + combining dot, as Rust char::to_lowercase', () => {
  const t = new Tokenizer(doc({ normalizer: { type: 'Lowercase' } }));
  assert.equal(t.normalize('ΟΔΟΣ ΣΑΣ'), 'οδοσ σασ');
  assert.equal(t.normalize('İ'), 'i\u0307');
});

test('BertNormalizer: controls dropped, whitespace to spaces, CJK spaced, accents stripped after NFD, lowercased', () => {
  const t = new Tokenizer(
    doc({
      normalizer: {
        type: 'BertNormalizer',
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents: null,
        lowercase: true,
      },
    }),
  );
  assert.equal(t.normalize('Caf\u00e9\u0000\ufffd\u200b\tNa\u0308ive\u00a0电影'), 'cafe naive  电  影 ');
  assert.equal(t.normalize('\u0890x'), '\u0890x', 'a format control newer than its table stays');
  const defaults = new Tokenizer(doc({ normalizer: { type: 'BertNormalizer' } }));
  assert.equal(defaults.normalize('Ça\tVA'), 'ca va', 'absent flags are true, as in Python');
});

test('pre-tokenizers: Whitespace (\\w+|[^\\w\\s]+), WhitespaceSplit, BertPreTokenizer (punctuation alone)', () => {
  const split = (type, text) => new Tokenizer(doc({ pre_tokenizer: { type } })).preTokenize([text]);
  assert.deepEqual(split('Whitespace', "don't stop—é1_x\u200dy!?"), [
    'don',
    "'",
    't',
    'stop',
    '—',
    'é1_x\u200dy',
    '!?',
  ]);
  assert.deepEqual(split('WhitespaceSplit', ' a\u00a0b\u2003c\n'), ['a', 'b', 'c']);
  assert.deepEqual(split('BertPreTokenizer', "don't!! ok"), ['don', "'", 't', '!', '!', 'ok']);
  const seq = { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'BertPreTokenizer' }] };
  assert.deepEqual(new Tokenizer(doc({ pre_tokenizer: seq })).preTokenize(['a,b c']), ['a', ',', 'b', 'c']);
});

test('WordPiece: greedy longest match first with ##, unmatched rest and long words are [UNK]', () => {
  const vocab = { '[PAD]': 0, '[UNK]': 1, un: 2, '##aff': 3, '##able': 4, '##a': 5, a: 6, é: 7, '##😀': 8 };
  const wp = (max) => ({
    type: 'WordPiece',
    unk_token: '[UNK]',
    continuing_subword_prefix: '##',
    max_input_chars_per_word: max,
    vocab,
  });
  const t = new Tokenizer(doc({ normalizer: null, pre_tokenizer: { type: 'WhitespaceSplit' }, model: wp(100) }));
  assert.deepEqual(t.encode('unaffable unx é😀😀').tokens, ['un', '##aff', '##able', '[UNK]', 'é', '##😀']);
  assert.deepEqual(Array.from(t.encode('unaffable unx é😀😀').ids), [2, 3, 4, 1, 7, 8]);
  const short = new Tokenizer(doc({ normalizer: null, model: wp(3) }));
  // max_input_chars_per_word counts code points: 'é😀😀' is 3, 'unaffable' 9
  assert.deepEqual(short.encode('é😀😀 unaffable').tokens.slice(0, 2), ['é', '##😀']);
  assert.deepEqual(short.encode('unaffable').tokens[0], '[UNK]');
});

test('TemplateProcessing (single): special tokens around the text, truncation leaves room for them', () => {
  const post = {
    type: 'TemplateProcessing',
    single: [
      { SpecialToken: { id: '[CLS]', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '[SEP]', type_id: 0 } },
    ],
    pair: [],
    special_tokens: {
      '[CLS]': { id: '[CLS]', ids: [4], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [5], tokens: ['[SEP]'] },
    },
  };
  assert.deepEqual(Array.from(encode({ post_processor: post }, 'a a a a a a').ids), [4, 3, 3, 3, 3, 5]);
  assert.deepEqual(Array.from(encode({ post_processor: post }, 'what').ids), [4, 2, 5, 0, 0, 0]);
});

test('Replace patterns keep Oniguruma semantics: Unicode \\w \\d, . stops at \\n only, ^ $ are line anchors', () => {
  const re = (p) => translateRegex(p, 'tokenizer.json');
  assert.equal('é١x_\u200d'.replace(re('\\w'), '_'), '____\u200d');
  assert.equal('a\rb\nc'.replace(re('.'), '.'), '...\n.');
  assert.equal('ab\nab'.replace(re('^a|b$'), '#'), '##\n##');
  assert.equal("it's (fine)".replace(re(KERAS_PUNCTUATION), ''), 'its fine');
  assert.equal('x\tf'.replace(re('[\\s\\h]'), '-'), 'x--', '\\h is a hex digit in Oniguruma');
  for (const p of ['a*+', '(?i)a', '(?>a)', '[a[b]]', '[a&&b]', '\\bword', '[\\W]', '\\G', '(?#c)a'])
    assert.throws(
      () => re(p),
      (e) => e instanceof WebgradError && e.code === 'ETOKENIZER' && e.message.includes('tokenizer.json'),
      p,
    );
});

test('a tokenizer.json outside the subset is ETOKENIZER naming the file and the component', () => {
  const cases = [
    [{ normalizer: { type: 'Precompiled' } }, 'Precompiled'],
    [{ normalizer: { type: 'Sequence', normalizers: [{ type: 'Strip' }] } }, 'Strip'],
    [{ pre_tokenizer: { type: 'ByteLevel' } }, 'ByteLevel'],
    [{ model: { type: 'BPE', vocab: {}, merges: [] } }, 'BPE'],
    [{ post_processor: { type: 'BertProcessing' } }, 'BertProcessing'],
    [{ added_tokens: [{ id: 0, content: '[PAD]' }] }, 'added_tokens'],
    [{ model: { type: 'WordLevel', vocab: { a: 0 }, unk_token: '[UNK]' } }, 'unk_token'],
    [{ padding: { ...doc().padding, direction: 'Left' } }, 'padding'],
    [{ padding: { ...doc().padding, strategy: 'BatchLongest' } }, 'padding'],
    [{ truncation: { ...doc().truncation, max_length: 4 } }, 'truncation'],
    [{ normalizer: { type: 'Replace', pattern: { Regex: '(?i)x' }, content: '' } }, '\\(\\?i\\)x'],
    [{ normalizer: { type: 'BertNormalizer', lowercase: 'yes' } }, 'BertNormalizer\\.lowercase'],
    [{ normalizer: { type: 'Replace', pattern: { Regex: 'a' }, content: 1 } }, 'Replace'],
    [
      { model: { type: 'WordPiece', vocab: VOCAB, unk_token: '[UNK]', max_input_chars_per_word: 0 } },
      'max_input_chars',
    ],
    [{ model: { type: 'WordLevel', vocab: { '[UNK]': 0, a: 0 }, unk_token: '[UNK]' } }, 'duplicate ids'],
  ];
  for (const [parts, component] of cases)
    assert.throws(
      () => new Tokenizer(doc(parts), 'bundles/x/tokenizer.json'),
      (e) =>
        e instanceof WebgradError &&
        e.code === 'ETOKENIZER' &&
        e.message.startsWith('bundles/x/tokenizer.json: ') &&
        new RegExp(component).test(e.message),
      component,
    );
  for (const bytes of ['not json {', '[1, 2]', new Uint8Array([0x7b, 0xff, 0x7d])])
    assert.throws(() => parseTokenizer(bytes, 'tokenizer.json'), { code: 'ETOKENIZER', message: /^tokenizer\.json: / });
});

// ---- text bundles exported by Python (tests/node/make_fixtures.py: wg.layers.TextVectorization and
// wg.text.WordPieceTokenizer models, with the Python runner's ids and outputs for probe texts)

const textFixtures = () => fixtureIndex().text ?? [];

function readBin(name, Type) {
  const buf = readFileSync(join(fixturesDir(), name));
  return new Type(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

test('text bundles: tokenize gives the Python runner ids; classify its probabilities (one batch), on js and wasm', async (t) => {
  const fixtures = textFixtures();
  if (!fixtures.length) return t.skip('make_fixtures.py writes no text bundles');
  for (const f of fixtures) {
    const ids = readBin(f.ids, Int32Array);
    const want = readBin(f.output, Float32Array);
    const [n, length] = f.idsShape;
    const classes = f.outputShape[1];
    for (const backend of ['js', 'wasm']) {
      const model = await loadModel(join(fixturesDir(), f.bundle), { backend });
      assert.ok(model.tokenizer, `${f.name}: model.tokenizer`);
      f.texts.forEach((text, i) => {
        const e = model.tokenize(text);
        assert.deepEqual(
          Array.from(e.ids),
          Array.from(ids.subarray(i * length, (i + 1) * length)),
          `${f.name}: ${text}`,
        );
        assert.deepEqual(
          Array.from(e.attentionMask),
          Array.from(e.ids, (id) => (id === 0 ? 0 : 1)),
        );
        assert.equal(e.tokens.length, length);
      });
      const results = await model.classify(f.texts, { topK: classes });
      assert.equal(results.length, n);
      results.forEach((preds, i) => {
        assert.equal(preds.length, classes);
        for (const p of preds) {
          const w = want[i * classes + p.index];
          assert.ok(Math.abs(p.probability - w) <= 1e-4, `${f.name} ${backend} text ${i}: ${p.probability} vs ${w}`);
          assert.equal(p.label, model.labels?.[p.index] ?? String(p.index));
        }
        assert.ok(preds[0].probability >= preds[classes - 1].probability, 'best first');
      });
      const one = await model.classify(f.texts[0], { topK: 1 });
      assert.equal(one.length, 1, 'a string gives one list of predictions');
      assert.equal(one[0].index, results[0][0].index);
      assert.deepEqual((await model.classify([f.texts[0]])).length, 1, 'an array of one text gives one list per text');
      model.dispose();
    }
  }
});

test('bad text input is EINPUT: non-strings, empty batches, numbers to a text model, text to a model without a tokenizer', async (t) => {
  const fixtures = textFixtures();
  if (!fixtures.length) return t.skip('make_fixtures.py writes no text bundles');
  const model = await loadModel(join(fixturesDir(), fixtures[0].bundle), { backend: 'js' });
  const einput = (re) => (e) => e instanceof WebgradError && e.code === 'EINPUT' && re.test(e.message);
  await assert.rejects(model.classify([]), einput(/empty batch/));
  await assert.rejects(model.classify(['fine', 3]), einput(/texts\[1\] is number 3/));
  await assert.rejects(model.classify(['fine', null]), einput(/texts\[1\] is null/));
  await assert.rejects(model.classify(42), einput(/text model/));
  await assert.rejects(model.classify({ data: new Float32Array(8), shape: [1, 8] }), einput(/text model/));
  assert.throws(() => model.tokenize(undefined), einput(/expected a string/));
  assert.throws(() => model.tokenize(['a']), einput(/expected a string/));
  // unknown characters and words: the unknown id; a long text: truncated to the sequence length
  const unk = model.tokenize('\u{10FFFD}zzqx');
  assert.equal(unk.ids[0], 1);
  assert.equal(model.tokenize('boring '.repeat(1000)).ids.length, fixtures[0].idsShape[1]);
  model.dispose();
  const image = await loadModel(join(fixturesDir(), 'mlp-float32'), { backend: 'js' });
  assert.equal(image.tokenizer, null);
  await assert.rejects(image.classify('a text'), einput(/no tokenizer/));
  await assert.rejects(image.classify(['a', 'b']), einput(/no tokenizer/));
  assert.throws(() => image.tokenize('a text'), einput(/no tokenizer/));
  image.dispose();
});

test('the tokenizer file counts toward maxBytes; its size against maxModelJsonBytes', async (t) => {
  const fixtures = textFixtures();
  if (!fixtures.length) return t.skip('make_fixtures.py writes no text bundles');
  const dir = join(fixturesDir(), fixtures[0].bundle);
  const m = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const shards = m.weights.shards.reduce((n, s) => n + s.byteLength, 0);
  await assert.rejects(loadModel(dir, { backend: 'js', maxBytes: shards }), {
    code: 'ELIMIT',
    message: /tokenizer file/,
  });
  const modelJson = readFileSync(join(dir, 'model.json')).byteLength;
  if (m.tokenizer.byteLength > modelJson)
    await assert.rejects(loadModel(dir, { backend: 'js', maxModelJsonBytes: m.tokenizer.byteLength - 1 }), {
      code: 'ELIMIT',
      message: /tokenizer\.json, over maxModelJsonBytes/,
    });
  const files = [];
  const model = await loadModel(dir, { backend: 'js', onProgress: (p) => files.push(p.file) });
  assert.ok(files.includes('tokenizer.json'), 'progress names the tokenizer file');
  model.dispose();
});

test('CLI: webgrad predict BUNDLE --text "..." (repeatable) prints the labels of each text', async (t) => {
  const fixtures = textFixtures();
  if (!fixtures.length) return t.skip('make_fixtures.py writes no text bundles');
  const dir = join(fixturesDir(), fixtures[0].bundle);
  const lines = [];
  const io = { out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`) };
  assert.equal(
    await main(['predict', dir, '--text', 'What a GREAT film!', '--text', 'boring', '--backend', 'js', '--json'], io),
    0,
  );
  const { predictions } = JSON.parse(lines.pop());
  const model = await loadModel(dir, { backend: 'js' });
  assert.deepEqual(predictions, await model.classify(['What a GREAT film!', 'boring']));
  model.dispose();
  assert.equal(await main(['predict', dir, '--text', 'fine', '--backend', 'js'], io), 0);
  assert.match(lines.join('\n'), /text 0: "fine"\n {2}1\. \S+ {2}\d+\.\d\d%/);
  assert.equal(await main(['predict', join(fixturesDir(), 'mlp-float32'), '--text', 'x'], io), 2);
  assert.match(lines.at(-1), /^ERR error \[EINPUT\]: .*no tokenizer/);
});

test('the tokenizer is one lazy chunk of at most 8 KB gzipped, outside what `import "webgrad"` loads', async () => {
  const { eager, lazy, sizes, inputs } = await eagerSet();
  const isText = (i) => i.startsWith('src/text/') || i === 'src/loader/tokenizer_section.js';
  assert.deepEqual(eager.flatMap((f) => inputs.get(f) ?? []).filter(isText), [], 'no tokenizer code is eager');
  const chunks = lazy.filter((f) => (inputs.get(f) ?? []).some(isText));
  assert.equal(chunks.length, 1, `one chunk, got ${chunks.join(', ')}`);
  assert.ok(inputs.get(chunks[0]).includes('src/text/tokenizer.js'));
  const { gzip } = sizes.get(chunks[0]);
  assert.ok(gzip <= 8 * 1024, `the tokenizer chunk is ${gzip} bytes gzipped, over 8 KB`);
});

test('a trainable text bundle fine-tunes on token ids and saves back with its tokenizer (formatVersion 3)', async (t) => {
  const dir0 = join(fixturesDir(), 'text-float32-trainable');
  if (!existsSync(dir0)) return t.skip('make_fixtures.py writes no trainable text bundle');
  const model = await loadModel(dir0, { backend: 'js', trainable: true });
  const texts = textFixtures()[0].texts;
  const ids = texts.map((s) => [...model.tokenize(s).ids]);
  const x = { data: Int32Array.from(ids.flat()), shape: [ids.length, ids[0].length] };
  const y = { data: Int32Array.from(texts, (_, i) => i % 2), shape: [texts.length] };
  await model.fit(x, y, { epochs: 2, batchSize: 4, seed: 1 });
  const before = await model.classify(texts);
  const map = await model.toBundle();
  assert.ok(map['tokenizer.json'] instanceof Uint8Array, 'the tokenizer file is in the map');
  assert.equal(JSON.parse(/** @type {string} */ (map['model.json'])).formatVersion, 3);
  const dir = mkdtempSync(join(tmpdir(), 'wg-text-save-'));
  try {
    await saveBundle(map, dir);
    const again = await loadModel(dir, { backend: 'js' });
    const after = await again.classify(texts);
    for (let i = 0; i < texts.length; i++) {
      assert.equal(after[i][0].index, before[i][0].index);
      assert.ok(Math.abs(after[i][0].probability - before[i][0].probability) < 1e-5);
    }
    assert.deepEqual([...again.tokenize(texts[0]).ids], ids[0]);
    again.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    model.dispose();
  }
});

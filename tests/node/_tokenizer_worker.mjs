// Runs the npm package's tokenizer over JSON lines (tests/test_tokenizer_parity.py drives it): each
// stdin line is {"tokenizer": PATH, "op": "encode" | "digest" | "normalize" | "pre_tokenize", "texts": [...]}; each
// stdout line answers it: {"results": [...]} ({ids, mask} per text for encode), or {"error": message}.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseTokenizer } from '../../js_runtime/src/text/tokenizer.js';

const cache = new Map();
const OPS = {
  encode: (t, text) => {
    const { ids, attentionMask } = t.encode(text);
    return { ids: Array.from(ids), mask: Array.from(attentionMask) };
  },
  // sha1 of the ids as little-endian int32 (whole emails: the ids themselves would be megabytes of JSON)
  digest: (t, text) => {
    const { ids } = t.encode(text);
    return createHash('sha1')
      .update(new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength))
      .digest('hex');
  },
  normalize: (t, text) => t.normalize(text),
  pre_tokenize: (t, text) => t.preTokenize([text]),
};

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line) continue;
  const req = JSON.parse(line);
  let answer;
  try {
    if (!cache.has(req.tokenizer)) cache.set(req.tokenizer, parseTokenizer(readFileSync(req.tokenizer), req.tokenizer));
    const t = cache.get(req.tokenizer);
    answer = { results: req.texts.map((text) => OPS[req.op](t, text)) };
  } catch (e) {
    answer = { error: `${e.code ?? ''} ${e.message}` };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}

// The shared bundle validity cases (tests/bundle_cases/*.json, format in its README.md) run through the
// npm package's loadModel: each case's edits are applied to a copy of a fixture bundle, and the result
// must load (self-test included, on js and wasm) or fail with the case's WebgradError code (and message).
// tests/test_bundle_cases.py runs the very same cases through the Python reader.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, fixturesDir, sha256 } from './_helpers.mjs';
import { WebgradError, liveResources, loadModel } from '../../js_runtime/src/index.js';

const CASE_DIR = join(ROOT, 'tests', 'bundle_cases');
const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

/** Every case of every file, as {file, case}. */
function allCases() {
  const files = readdirSync(CASE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.flatMap((file) => {
    const doc = JSON.parse(readFileSync(join(CASE_DIR, file), 'utf8'));
    assert.ok(Array.isArray(doc.cases), `${file}: expected {"cases": [...]}`);
    return doc.cases.map((c) => ({ file, c }));
  });
}

/** The base bundle's files as bytes, by name. */
function baseFiles(base) {
  const dir = join(fixturesDir(), base);
  return new Map(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
}

/** Sets `value` at `path` in `doc` (missing object keys on the way created), as an own property. */
function setPath(doc, path, value) {
  let at = doc;
  for (const key of path.slice(0, -1)) {
    if (!own(at, key) || at[key] === null || typeof at[key] !== 'object') define(at, key, {});
    at = at[key];
  }
  define(at, path.at(-1), value);
}

/** An own data property even for '__proto__' (plain assignment would set the prototype instead). */
function define(o, key, value) {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

function deletePath(doc, path) {
  let at = doc;
  for (const key of path.slice(0, -1)) at = at[key];
  const key = path.at(-1);
  if (Array.isArray(at)) at.splice(key, 1);
  else delete at[key];
}

const hexBytes = (hex) => new Uint8Array(Buffer.from(hex, 'hex'));

/**
 * Applies a case's edits (README.md) to the base bundle; returns the files as an in-memory bundle map.
 */
function applyEdits(c) {
  const files = baseFiles(c.base);
  const doc = JSON.parse(Buffer.from(files.get('model.json')).toString('utf8'));
  let text = null; // model.json as text, after the first text edit
  let frozen = false; // model.json edited as a file: its bytes are final
  const modelText = () => text ?? JSON.stringify(doc);
  const needDoc = (op) =>
    assert.ok(text === null && !frozen, `${c.name}: a JSON edit '${op}' after a text or file edit`);
  for (const e of c.edits ?? []) {
    if (e.op === 'set') {
      needDoc(e.op);
      setPath(doc, e.path, e.value);
    } else if (e.op === 'delete') {
      needDoc(e.op);
      deletePath(doc, e.path);
    } else if (e.op === 'replace') {
      assert.ok(!frozen, `${c.name}: a text edit after a file edit of model.json`);
      const t = modelText();
      assert.ok(t.includes(e.find), `${c.name}: broken case: ${JSON.stringify(e.find)} does not occur in model.json`);
      text = t.replace(e.find, () => e.with);
    } else if (e.op === 'prefix') {
      assert.ok(!frozen, `${c.name}: a text edit after a file edit of model.json`);
      text = e.text + modelText();
    } else if (e.op === 'rehash') {
      needDoc(e.op);
      for (const s of doc.weights.shards) {
        const bytes = files.get(s.file);
        if (!bytes) continue;
        s.byteLength = bytes.byteLength;
        s.sha256 = sha256(bytes);
      }
    } else if (e.op === 'file') {
      if (e.name === 'model.json' && !frozen) {
        files.set('model.json', new TextEncoder().encode(modelText()));
        frozen = true;
      }
      const bytes = files.get(e.name) ?? new Uint8Array(0);
      if (e.remove) files.delete(e.name);
      else if (own(e, 'truncate')) files.set(e.name, bytes.slice(0, e.truncate));
      else if (own(e, 'append_hex')) files.set(e.name, new Uint8Array([...bytes, ...hexBytes(e.append_hex)]));
      else if (own(e, 'write_hex')) files.set(e.name, hexBytes(e.write_hex));
      else assert.fail(`${c.name}: file edit without remove/truncate/append_hex/write_hex`);
    } else {
      assert.fail(`${c.name}: unknown edit op ${JSON.stringify(e.op)}`);
    }
  }
  if (!frozen) files.set('model.json', new TextEncoder().encode(modelText()));
  return files;
}

for (const { file, c } of allCases()) {
  test(`${file}: ${c.name}`, async () => {
    const files = applyEdits(c);
    const before = liveResources();
    if (c.expect === 'valid') {
      for (const backend of ['js', 'wasm']) {
        const model = await loadModel(new Map(files), { backend });
        assert.ok(model.selftest, `${c.name}: the self-test ran on ${backend}`);
        model.dispose();
      }
    } else {
      assert.ok(c.expect && typeof c.expect.code === 'string', `${c.name}: expect is "valid" or {"code": ...}`);
      await assert.rejects(loadModel(new Map(files), { backend: 'js' }), (e) => {
        assert.ok(e instanceof WebgradError, `${c.name}: expected a WebgradError, got ${e?.stack ?? e}`);
        assert.equal(e.code, c.expect.code, `${c.name}: ${e.message}`);
        if (c.expect.message) assert.match(e.message, new RegExp(c.expect.message), c.name);
        return true;
      });
    }
    assert.deepEqual(liveResources(), before, `${c.name}: nothing left allocated`);
  });
}

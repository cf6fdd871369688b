// Writes params structs with the JS writers of one params.generated.js and prints the bytes, so that
// tests/test_wasm_params.py can read every field back at the offset the .wasm reports for it.
//   node tests/wasm_params_probe.mjs <params.generated.js> <cases.json>
// cases.json: [{"writer": "writeMatmulParams", "bytes": 84, "fields": {...}}, ...]; prints a JSON list
// of hex strings, one per case.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [modulePath, casesPath] = process.argv.slice(2);
const writers = await import(pathToFileURL(modulePath).href);
const cases = JSON.parse(readFileSync(casesPath, 'utf8'));
const out = cases.map((c) => {
  const dv = new DataView(new ArrayBuffer(c.bytes));
  writers[c.writer](dv, 0, c.fields);
  return Buffer.from(dv.buffer).toString('hex');
});
process.stdout.write(JSON.stringify(out));

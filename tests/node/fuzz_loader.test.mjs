// A bounded run of the JS loader's mutation fuzzer (tests/fuzz/js_loader.mjs): every mutated bundle
// loads (and predict then works or fails typed) or is rejected with a WebgradError carrying a code.
// A fixed seed, so a failure here reproduces with `node tests/fuzz/js_loader.mjs --seed 12 --case K`.
// Longer runs: `node tests/fuzz/js_loader.mjs --minutes N` (or scripts/fuzz.sh).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz, loadBases } from '../fuzz/js_loader.mjs';

const SEED = 12;
const CASES = 12000; // ~15 s on a 2-core machine

test(`fuzz: ${CASES} mutated bundles (seed ${SEED}) give valid loads or typed errors only`, async () => {
  const { bases } = loadBases();
  const result = await fuzz({ bases, seed: SEED, cases: CASES });
  const report = result.findings
    .slice(0, 5)
    .map((f) => `case ${f.index} (${f.backend}): ${f.did.join('; ')}\n${f.error}`);
  assert.equal(result.findings.length, 0, report.join('\n\n'));
  assert.equal(result.cases, CASES);
  // the mutations reach past the JSON checks: some cases load, some fail deep in the loader
  assert.ok(result.outcomes.valid > 0, JSON.stringify(result.outcomes));
  for (const code of ['ESCHEMA', 'EJSON', 'ETENSOR', 'ECHECKSUM', 'EGRAPH'])
    assert.ok(result.outcomes[code] > 0, `no ${code} case: ${JSON.stringify(result.outcomes)}`);
});

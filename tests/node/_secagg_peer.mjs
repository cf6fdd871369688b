// JS secure-aggregation clients driven from Python (tests/test_secagg_vectors.py): one JSON command per
// line on stdin, one JSON answer per line on stdout. Not a test file itself.
//   {"id": "js-1", "call": "new", "args": [config]}            -> {"ok": null}
//   {"id": "js-1", "call": "advertise" | "shareKeys" | "unmask", "args": [...]} -> {"ok": message}
//   {"id": "js-1", "call": "maskedInput", "args": [update (float32 base64), weight, inbox]} -> {"ok": base64}
// An error answers {"error": message, "code", "kind"}.

import { createInterface } from 'node:readline';
import { SecAggClient } from '../../js_runtime/src/federated/secagg/index.js';
import { fromBase64 } from '../../js_runtime/src/federated/secagg/bytes.js';

/** @type {Map<string, SecAggClient>} */
const clients = new Map();

async function handle(cmd) {
  if (cmd.call === 'new') {
    clients.set(cmd.id, new SecAggClient(cmd.id, cmd.args[0]));
    return null;
  }
  const client = clients.get(cmd.id);
  if (!client) throw new Error(`no client ${cmd.id}`);
  if (cmd.call === 'maskedInput') {
    const [update, weight, inbox] = cmd.args;
    const bytes = fromBase64(update, 'update');
    return client.maskedInput(new Float32Array(bytes.buffer, 0, bytes.length / 4), weight, inbox);
  }
  return client[cmd.call](...cmd.args);
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    answer = { ok: await handle(JSON.parse(line)) };
  } catch (err) {
    answer = { error: String(err?.message ?? err), code: err?.code, kind: err?.kind };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}

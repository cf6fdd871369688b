// Resource limits of loadModel (maxBytes, maxModelJsonBytes, timeoutMs, maxArenaBytes) against real
// misbehaving HTTP servers and odd local files, and typed errors for odd predict/classify calls.
// Memory is checked as a property (growth while the load runs stays far below what the server sends),
// never as a time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createGzip } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebgradError, liveResources, loadModel, tensor } from '../../js_runtime/src/index.js';
import { matmulBundle, syntheticBundle } from './_synthetic.mjs';

const MiB = 2 ** 20;

/** Asserts `promise` rejects with a WebgradError of `code` whose message matches every pattern. */
async function rejects(promise, code, ...patterns) {
  const before = liveResources();
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof WebgradError, `expected a WebgradError, got ${e?.stack ?? e}`);
    assert.equal(e.code, code, e.message);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
  assert.deepEqual(liveResources(), before, 'a failed load leaves nothing allocated');
}

/** The bundle's files as bytes (model.json serialized). */
function filesOf(bundle) {
  return Object.fromEntries(
    Object.entries(bundle).map(([f, v]) => [f, f === 'model.json' ? Buffer.from(JSON.stringify(v)) : Buffer.from(v)]),
  );
}

/**
 * An HTTP server answering `/<file>` with `handlers[file](req, res)`, or the bytes of `files[file]`.
 * `streamed` counts the bytes each handler wrote (what the client was sent).
 */
async function serve(files, handlers = {}) {
  const streamed = {};
  const sockets = new Set();
  const server = createServer((req, res) => {
    const file = decodeURIComponent(new URL(req.url, 'http://x').pathname).slice(1);
    if (handlers[file])
      return handlers[file](req, res, (n) => {
        streamed[file] = (streamed[file] ?? 0) + n;
      });
    if (!files[file]) return res.writeHead(404).end();
    res.writeHead(200).end(files[file]);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    streamed,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/**
 * Writes `chunk` again and again (as fast as the client reads) until `limit` bytes are sent or the
 * client goes away. `limit` keeps a test of the old, uncapped loader finite: it then fails on memory.
 */
function endless(res, chunk, limit, count, headers = {}) {
  res.writeHead(200, { 'content-type': 'application/octet-stream', ...headers });
  let sent = 0;
  const pump = () => {
    while (sent < limit && !res.destroyed) {
      sent += chunk.length;
      count(chunk.length);
      if (!res.write(chunk)) return res.once('drain', pump);
    }
    res.end();
  };
  res.on('close', () => {
    sent = limit;
  });
  pump();
}

/** Runs `fn` while sampling memory; returns the largest growth of arrayBuffers and of rss, in bytes. */
async function peakGrowth(fn) {
  globalThis.gc?.();
  const base = process.memoryUsage();
  let buffers = 0;
  let rss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    buffers = Math.max(buffers, m.arrayBuffers - base.arrayBuffers);
    rss = Math.max(rss, m.rss - base.rss);
  };
  const timer = setInterval(sample, 2);
  try {
    await fn();
  } finally {
    clearInterval(timer);
    sample();
  }
  return { buffers, rss };
}

/** gzip of `bytes` zero bytes, made in 1 MiB steps (never holding the inflated data). */
async function gzipOfZeros(bytes) {
  const gz = createGzip({ level: 9 });
  const parts = [];
  gz.on('data', (d) => parts.push(d));
  const done = new Promise((resolve) => gz.on('end', resolve));
  const zeros = Buffer.alloc(MiB);
  for (let at = 0; at < bytes; at += MiB) if (!gz.write(zeros)) await new Promise((r) => gz.once('drain', r));
  gz.end();
  await done;
  return Buffer.concat(parts);
}

const small = () => matmulBundle(4, 3);

test('limits: options are checked (EARG) and a good URL load leaves no timer behind', async () => {
  await rejects(loadModel(small(), { maxBytes: -1 }), 'EARG', /maxBytes must be a positive number/);
  await rejects(loadModel(small(), { timeoutMs: 'soon' }), 'EARG', /timeoutMs must be a positive number/);
  await rejects(loadModel(small(), { maxArenaBytes: 0 }), 'EARG', /maxArenaBytes/);
  const srv = await serve(filesOf(small()));
  try {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const model = await loadModel(srv.url, { timeoutMs: 60000 });
    assert.equal(timers(), before, 'the idle timers are cleared once each file is read');
    model.dispose();
  } finally {
    srv.close();
  }
});

test('maxModelJsonBytes: an endless model.json stops at the cap (ELIMIT), memory stays bounded', async () => {
  const srv = await serve(
    {},
    {
      'model.json': (req, res, count) => endless(res, Buffer.from(`{"pad": "${'x'.repeat(MiB)}`), 1024 * MiB, count),
    },
  );
  try {
    const grew = await peakGrowth(() =>
      rejects(loadModel(srv.url), 'ELIMIT', /model\.json is over maxModelJsonBytes \(67108864 bytes\)/),
    );
    assert.ok(grew.buffers < 160 * MiB, `arrayBuffers grew ${grew.buffers} bytes (cap 64 MiB)`);
    const sent = srv.streamed['model.json'];
    assert.ok(sent < 512 * MiB, `the read stopped early (server wrote ${sent} bytes)`);
    // a smaller cap given as an option
    await rejects(
      loadModel(srv.url, { maxModelJsonBytes: MiB }),
      'ELIMIT',
      /over maxModelJsonBytes \(1048576 bytes\): read stopped at \d+ bytes/,
    );
  } finally {
    srv.close();
  }
});

test('maxBytes: a shard past its declared size is cut off (ESHARD_SIZE) while streaming: endless, or simply too long', async () => {
  const files = filesOf(small());
  const declared = files['weights-000.bin'].length;
  const srv = await serve(files, {
    'weights-000.bin': (req, res, count) => endless(res, Buffer.alloc(MiB, 1), 1024 * MiB, count),
  });
  try {
    const grew = await peakGrowth(() =>
      rejects(
        loadModel(srv.url),
        'ESHARD_SIZE',
        new RegExp(
          `weights-000\\.bin: shard too long: model\\.json says ${declared} bytes, the file has at least \\d+ \\(read stopped there\\)`,
        ),
      ),
    );
    assert.ok(grew.buffers < 64 * MiB, `arrayBuffers grew ${grew.buffers} bytes`);
    assert.ok(
      srv.streamed['weights-000.bin'] < 512 * MiB,
      `the read stopped early (server wrote ${srv.streamed['weights-000.bin']})`,
    );
  } finally {
    srv.close();
  }
});

test('maxBytes: a shard that is a gzip bomb (Content-Encoding gzip) is counted in decoded bytes', async () => {
  const bomb = await gzipOfZeros(512 * MiB); // ~0.5 MiB on the wire
  const files = filesOf(small());
  const srv = await serve(files, {
    'weights-000.bin': (req, res, count) => {
      count(bomb.length);
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb);
    },
    'model.json': (req, res, count) => {
      count(bomb.length);
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' }).end(bomb);
    },
  });
  try {
    const grew = await peakGrowth(async () => {
      await rejects(loadModel(srv.url), 'ELIMIT', /over maxModelJsonBytes \(67108864 bytes\)/);
    });
    assert.ok(grew.buffers < 160 * MiB, `arrayBuffers grew ${grew.buffers} bytes inflating model.json`);
  } finally {
    srv.close();
  }
  const srv2 = await serve(files, {
    'weights-000.bin': (req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb),
  });
  try {
    const grew = await peakGrowth(() => rejects(loadModel(srv2.url), 'ESHARD_SIZE', /shard too long/));
    assert.ok(grew.buffers < 64 * MiB, `arrayBuffers grew ${grew.buffers} bytes inflating the shard`);
  } finally {
    srv2.close();
  }
});

test('maxBytes: shards that declare more than the cap are ELIMIT before any shard is used', async () => {
  const big = matmulBundle(64, 64); // 16 KiB of weights
  await rejects(
    loadModel(big, { maxBytes: 8192 }),
    'ELIMIT',
    /the shards declare 16384 bytes of weights, over maxBytes \(8192 bytes\)/,
  );
  const files = filesOf(big);
  const srv = await serve(files);
  try {
    await rejects(loadModel(srv.url, { maxBytes: 8192 }), 'ELIMIT', /over maxBytes \(8192 bytes\)/);
    const model = await loadModel(srv.url, { maxBytes: 16384 });
    model.dispose();
  } finally {
    srv.close();
  }
});

test('timeoutMs: a server that stalls (no headers, or a drip that stops) is ELIMIT naming the file', async () => {
  const files = filesOf(small());
  const hold = [];
  const srv = await serve(files, {
    'model.json': (req, res) => hold.push(res), // never answers
  });
  try {
    await rejects(
      loadModel(srv.url, { timeoutMs: 200 }),
      'ELIMIT',
      /model\.json: no data arrived for 200 ms \(timeoutMs is 200\)/,
    );
  } finally {
    srv.close();
  }
  // the shard drips a byte every 20 ms (never idle for 200 ms: it loads), then one stops half-way
  const shard = files['weights-000.bin'];
  const drip = (stopAt) => (req, res) => {
    res.writeHead(200);
    let at = 0;
    const timer = setInterval(() => {
      if (res.destroyed || at >= shard.length) {
        clearInterval(timer);
        if (!res.destroyed) res.end();
        return;
      }
      if (at === stopAt) return; // stalls, connection open
      res.write(shard.subarray(at, at + 1));
      at += 1;
    }, 1);
    res.on('close', () => clearInterval(timer));
  };
  const ok = await serve(files, { 'weights-000.bin': drip(-1) });
  try {
    const model = await loadModel(ok.url, { timeoutMs: 200 });
    model.dispose();
  } finally {
    ok.close();
  }
  const stuck = await serve(files, { 'weights-000.bin': drip(10) });
  try {
    await rejects(loadModel(stuck.url, { timeoutMs: 200 }), 'ELIMIT', /weights-000\.bin: no data arrived for 200 ms/);
  } finally {
    stuck.close();
  }
});

test('maxArenaBytes: a tiny bundle whose broadcasting Add makes 2 GiB is ELIMIT at load (self-test) and at predict', async () => {
  // a [32768, 1] + b [1, 16384] -> [32768, 16384] float32 = 2 GiB; y = x @ big^T
  const rows = 32768;
  const cols = 16384;
  const bundle = () =>
    syntheticBundle({
      inputs: [{ name: 'x', dtype: 'float32', shape: [null, cols] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [null, rows] }],
      nodes: [
        { name: 'big', op: 'Add', inputs: ['a', 'b'], outputs: ['big'], attrs: {} },
        { name: 'y', op: 'MatMul', inputs: ['x', 'big'], outputs: ['y'], attrs: { transpose_b: true } },
      ],
      weights: {
        a: { data: new Float32Array(rows), shape: [rows, 1] },
        b: { data: new Float32Array(cols), shape: [1, cols] },
      },
      selftest: {
        inputs: [{ name: 'x', shape: [1, cols], data: new Float32Array(cols) }],
        outputs: [{ name: 'y', shape: [1, rows], data: new Float32Array(rows) }],
      },
    });
  for (const backend of ['js', 'wasm']) {
    await rejects(
      loadModel(bundle(), { backend }),
      'ELIMIT',
      /node 'big' \(Add\): its output float32 \[32768, 16384\] needs 2147483648 bytes, over maxArenaBytes \(1073741824 bytes\)/,
    );
    const model = await loadModel(bundle(), { backend, selftest: false });
    try {
      await assert.rejects(
        model.predict(tensor(new Float32Array(cols), [1, cols])),
        (e) => e instanceof WebgradError && e.code === 'ELIMIT',
      );
      assert.equal(model.memory().arenaBytes, 0, 'nothing was allocated for the refused plan');
    } finally {
      model.dispose();
    }
  }
  // the cap is an option: a plan of a few KiB over a tiny cap
  await rejects(
    loadModel(small(), { maxArenaBytes: 16 }),
    'ELIMIT',
    /needs \d+ bytes of memory, over maxArenaBytes \(16 bytes\)/,
  );
});

test('file sources: a directory or a FIFO where a file belongs is EFETCH, without opening it (no hang)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'webgrad-limits-'));
  try {
    const files = filesOf(small());
    const make = (name, what) => {
      const d = join(dir, name);
      mkdirSync(d);
      for (const [f, bytes] of Object.entries(files)) if (f !== what) writeFileSync(join(d, f), bytes);
      return d;
    };
    mkdirSync(join(make('dir-json', 'model.json'), 'model.json'));
    await rejects(
      loadModel(join(dir, 'dir-json')),
      'EFETCH',
      /dir-json\/model\.json: is a directory; expected a file of the bundle/,
    );
    mkdirSync(join(make('dir-shard', 'weights-000.bin'), 'weights-000.bin'));
    await rejects(loadModel(join(dir, 'dir-shard')), 'EFETCH', /dir-shard\/weights-000\.bin: is a directory/);
    const mkfifo = (p) => spawnSync('mkfifo', [p]).status === 0;
    if (!mkfifo(join(make('fifo-json', 'model.json'), 'model.json'))) return; // no mkfifo (Windows)
    await rejects(
      loadModel(join(dir, 'fifo-json')),
      'EFETCH',
      /fifo-json\/model\.json: is not a regular file \(a FIFO, socket or device\)/,
    );
    mkfifo(join(make('fifo-shard', 'weights-000.bin'), 'weights-000.bin'));
    await rejects(loadModel(join(dir, 'fifo-shard')), 'EFETCH', /fifo-shard\/weights-000\.bin: is not a regular file/);
    // a local shard longer than declared is refused from its size, before it is read
    const long = make('long-shard', 'weights-000.bin');
    writeFileSync(join(long, 'weights-000.bin'), Buffer.concat([files['weights-000.bin'], Buffer.alloc(MiB)]));
    await rejects(loadModel(long), 'ESHARD_SIZE', /shard too long: model\.json says \d+ bytes, the file has/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('predict: a BigInt64Array (no dtype of the op set) is EDTYPE, not a TypeError', async () => {
  const model = await loadModel(small());
  try {
    for (const data of [new BigInt64Array(4), new BigUint64Array(4)]) {
      await assert.rejects(
        model.predict({ data, shape: [1, 4] }),
        (e) => e instanceof WebgradError && e.code === 'EDTYPE' && /64-bit integers are not a dtype/.test(e.message),
      );
      await assert.rejects(model.predict(data), (e) => e instanceof WebgradError && e.code === 'EINPUT');
      await assert.rejects(
        model.classify({ data, shape: [1, 4] }),
        (e) => e instanceof WebgradError && e.code === 'EDTYPE',
      );
    }
    assert.throws(
      () => tensor(new BigInt64Array(2)),
      (e) => e instanceof WebgradError && e.code === 'EDTYPE',
    );
    // other typed arrays are converted
    const y = await model.predict({ data: new Float64Array([1, 0, 0, 0]), shape: [1, 4] });
    assert.equal(y.shape[1], 3);
  } finally {
    model.dispose();
  }
});

test('classify: 200,000 classes rank like a sort of the logits (no spread-argument RangeError)', async () => {
  const classes = 200_000;
  const value = (i) => Math.sin(i * 12.9898) * 20; // distinct logits
  const model = await loadModel(matmulBundle(1, classes, value));
  try {
    const top = await model.classify(new Float32Array([1]), { topK: 5 });
    const want = Array.from({ length: classes }, (_, i) => i)
      .sort((a, b) => Math.fround(value(b)) - Math.fround(value(a)))
      .slice(0, 5);
    assert.deepEqual(
      top.map((p) => p.index),
      want,
    );
    // softmax over all classes: the top probability against a float64 reference
    const logits = Float32Array.from({ length: classes }, (_, i) => value(i));
    let max = -Infinity;
    for (const v of logits) max = Math.max(max, v);
    let sum = 0;
    for (const v of logits) sum += Math.exp(v - max);
    assert.ok(Math.abs(top[0].probability - Math.exp(logits[want[0]] - max) / sum) < 1e-6);
  } finally {
    model.dispose();
  }
});

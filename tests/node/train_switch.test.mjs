// A trainable model switching between inference (predict) and training (trainStep): each executor keeps
// its plans and only gives its arena back (Executor.releaseArena), so 50 switches build no plan after
// the first of each, leave the resources where the first switch left them, and give the same numbers as
// a model that never switched. Also Executor.releaseArena on its own: the arena goes, the plans stay.
//
//   node --test tests/node/train_switch.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, liveResources } from '../../js_runtime/src/index.js';
import { Executor } from '../../js_runtime/src/executor.js';
import { jsBackend } from '../../js_runtime/src/backends/js/index.js';
import { tensor } from '../../js_runtime/src/tensor.js';
import { FEATURES, dataset, trainableBundle } from './_trainable.mjs';

const SWITCHES = 50;

for (const backend of ['js', 'wasm']) {
  test(`${backend}: ${SWITCHES} predict/trainStep switches keep both plans, constant resources, same numbers`, async () => {
    const model = await loadModel(trainableBundle(), { trainable: true, backend });
    const plain = await loadModel(trainableBundle(), { trainable: true, backend }); // never predicts
    const fresh = await loadModel(trainableBundle(), { backend }); // inference only
    const { x, y } = dataset(8);
    const probe = { data: new Float32Array(2 * FEATURES).map((_, i) => (i % 5) / 5 - 0.4), shape: [2, FEATURES] };
    const first = await (await model.predict(probe)).data();
    assert.deepEqual(Array.from(first), Array.from(await (await fresh.predict(probe)).data()), 'as a fresh model');
    const inferencePlans = model.memory().plans; // the self-test's and the probe's
    /** @type {{afterPredict?: string, afterStep?: string}} */
    const seen = {};
    for (let i = 0; i < SWITCHES; i++) {
      const { loss } = await model.trainStep(x, y);
      const want = await plain.trainStep(x, y);
      assert.equal(loss, want.loss, `step ${i}: the loss of a model that never switched`);
      const afterStep = JSON.stringify(liveResources());
      assert.equal(afterStep, (seen.afterStep ??= afterStep), `step ${i}: resources after a training step`);
      const p = await model.predict(probe);
      const afterPredict = JSON.stringify(liveResources());
      assert.equal(afterPredict, (seen.afterPredict ??= afterPredict), `step ${i}: resources after predict`);
      const { plans } = model.memory();
      assert.equal(plans, inferencePlans + 1, `step ${i}: the inference plans and the training plan, all kept`);
      if (i === SWITCHES - 1) {
        const want = await (await plain.predict(probe)).data();
        assert.deepEqual(
          Array.from(await p.data()),
          Array.from(want),
          'predictions after training as a model that never switched',
        );
      }
    }
    for (const m of [model, plain, fresh]) m.dispose();
    assert.deepEqual(liveResources(), { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 });
  });
}

test('Executor.releaseArena frees the arena and keeps the plans; the next run allocates it again', async () => {
  const backend = await jsBackend.create();
  const graph = {
    inputs: [{ name: 'x', dtype: 'float32', shape: [null, 3] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [null, 3] }],
    nodes: [{ name: 'relu', op: 'Relu', inputs: ['x'], outputs: ['y'], attrs: {} }],
  };
  const ex = new Executor(graph, new Map(), backend);
  const x = tensor(new Float32Array([-1, 2, -3, 4, -5, 6]), [2, 3]);
  const before = Array.from(ex.run([x])[0].dataSync());
  const plan = ex.plan([[2, 3]]);
  assert.ok(ex.arenaBytes > 0);
  const live = liveResources().arenaBytes;
  ex.releaseArena();
  assert.equal(ex.arenaBytes, 0, 'the arena is given back');
  assert.equal(liveResources().arenaBytes, live - plan.arenaBytes, 'and no longer counted');
  assert.equal(ex.planCount, 1, 'the plan stays');
  assert.deepEqual(Array.from(ex.run([x])[0].dataSync()), before, 'runs again on a new arena');
  assert.equal(ex.plan([[2, 3]]), plan, 'with the same plan');
  ex.dispose();
  assert.equal(liveResources().arenaBytes, live - plan.arenaBytes);
});

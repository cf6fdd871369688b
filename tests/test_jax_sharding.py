"""Data-parallel training over 8 CPU devices against single-device training.

``XLA_FLAGS=--xla_force_host_platform_device_count=8`` only takes effect before JAX starts, so the
check runs in a fresh Python process (the rest of the suite keeps one device and its compile cache).
A batch that does not divide by 8 is padded with zero-weight examples: losses, weights and metrics
must still equal the single-device run's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("jax")

SCRIPT = r"""
import json, os
import numpy as np
import jax
import webgrad as wg
from jax.sharding import PartitionSpec
from webgrad.backends.jax_steps import JaxSteps

assert len(jax.devices()) == 8, jax.devices()
rng = np.random.default_rng(0)
x = rng.normal(size=(60, 6)).astype(np.float32)
y = (x[:, 0] + x[:, 1] > 0).astype(np.int32) + (x[:, 2] > 1).astype(np.int32)

def run(devices, batch_size):
    wg.layers.clear_session(); wg.set_seed(0)
    m = wg.Sequential([wg.layers.Input((6,)), wg.layers.Dense(16, activation="relu"),
                       wg.layers.Dense(3, activation="softmax")])
    m.compile(optimizer=wg.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"],
              backend="jax")
    m._steps = JaxSteps(m, devices=devices)
    h = m.fit(x, y, batch_size=batch_size, epochs=2, shuffle=False, verbose=0)
    ev = m.evaluate(x, y, batch_size=20, verbose=0)
    return {"loss": h.history["loss"], "acc": h.history["accuracy"], "eval": ev,
            "weights": [w.tolist() for w in m.get_weights()], "pred": m.predict(x[:13], batch_size=13).tolist()}, m

out = {}
for bs in (16, 12):  # 16: 60 = 3 full batches + 12; 12: every batch padded to 16
    out[f"all_{bs}"], m = run(None, bs)
    out[f"one_{bs}"], _ = run(jax.devices()[:1], bs)
steps = m._steps
batch = steps._batch([x[:12]])[0][0]
out["devices"] = steps.par.size
out["params_replicated"] = all(p.sharding.is_fully_replicated and len(p.sharding.device_set) == 8
                               for p in steps.params)
out["batch_spec"] = str(batch.sharding.spec)
out["batch_shape"] = list(batch.shape)
print("RESULT" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def sharded_run():
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=8", "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT"))
    return json.loads(line[len("RESULT"):])


def test_parameters_are_replicated_and_batches_sharded_over_8_devices(sharded_run):
    assert sharded_run["devices"] == 8
    assert sharded_run["params_replicated"]
    assert "batch" in sharded_run["batch_spec"]
    assert sharded_run["batch_shape"] == [16, 6]  # 12 examples padded to a multiple of 8


@pytest.mark.parametrize("batch_size", [16, 12])
def test_eight_devices_train_like_one(sharded_run, batch_size):
    many, one = sharded_run[f"all_{batch_size}"], sharded_run[f"one_{batch_size}"]
    np.testing.assert_allclose(many["loss"], one["loss"], rtol=1e-5)
    np.testing.assert_allclose(many["acc"], one["acc"], rtol=0, atol=0)
    np.testing.assert_allclose(many["eval"], one["eval"], rtol=1e-5)
    for a, b in zip(many["weights"], one["weights"], strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(many["pred"], one["pred"], rtol=1e-5, atol=1e-7)
    assert many["loss"][1] < many["loss"][0]

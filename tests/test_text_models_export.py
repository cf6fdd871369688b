"""Issue 18's acceptance for sequence models: a text CNN (Embedding mask_zero -> Conv1D ->
GlobalMaxPooling1D -> Dense) and a small transformer (TokenAndPositionEmbedding mask_zero ->
TransformerEncoder -> GlobalAveragePooling1D -> Dense) on int32 ids with right padding

- train 20 steps on the numpy and the jax backends from the same seed: losses and weights agree
  within 1e-4;
- export float32 and int8: the Python runner matches ``model.predict`` (float32 within 1e-4; int8
  within the bound of int8 weights, 3e-2 on probabilities, and equal to predict with the weights the
  int8 bundle stores, dequantized, within 1e-4);
- the npm runtime on js, wasm and webgpu (Dawn on SwiftShader) matches the Python runner within 1e-4.

Tiny models (vocabulary 50, 12 steps) so the file runs in seconds of compute.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import webgrad as wg
from webgrad.exporter import load_bundle

pytest.importorskip("jax")
ROOT = Path(__file__).resolve().parents[1]
VOCAB, STEPS, BATCH, TRAIN_STEPS = 50, 12, 8, 20
L = wg.layers


def _ids(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-padded id rows (lengths 2..12) and a learnable label: whether a low id occurs in the row."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, VOCAB, (n, STEPS)).astype(np.int32)
    lengths = rng.integers(2, STEPS + 1, n)
    ids[np.arange(STEPS)[None, :] >= lengths[:, None]] = 0
    y = ((ids > 0) & (ids < 6)).any(axis=1).astype(np.int32)
    return ids, y


def text_cnn() -> wg.Model:
    ids = wg.Input((STEPS,), dtype="int32", name="tokens")
    x = L.Embedding(VOCAB, 16, mask_zero=True)(ids)
    x = L.Conv1D(16, 3, padding="same", activation="relu")(x)
    x = L.GlobalMaxPooling1D()(x)
    return wg.Model(ids, L.Dense(2, activation="softmax")(x))


def small_transformer() -> wg.Model:
    ids = wg.Input((STEPS,), dtype="int32", name="tokens")
    x = L.TokenAndPositionEmbedding(VOCAB, STEPS, 16, mask_zero=True)(ids)
    x = L.TransformerEncoder(intermediate_dim=32, num_heads=2)(x)
    x = L.GlobalAveragePooling1D()(x)
    return wg.Model(ids, L.Dense(2, activation="softmax")(x))


MODELS = {"text_cnn": text_cnn, "transformer": small_transformer}


class _BatchLosses(wg.callbacks.Callback):
    def __init__(self) -> None:
        self.means: list[float] = []

    def on_train_batch_end(self, batch, logs=None):
        self.means.append(logs["loss"])

    def per_batch(self) -> np.ndarray:
        m = np.asarray(self.means, np.float64)  # equal batches: loss_b = (b+1) * mean_b - b * mean_{b-1}
        return np.concatenate([m[:1], m[1:] * np.arange(2, len(m) + 1) - m[:-1] * np.arange(1, len(m))])


def _trained(make, backend: str) -> tuple[wg.Model, np.ndarray]:
    wg.layers.clear_session()
    wg.set_seed(0)
    model = make()
    model.compile(optimizer=wg.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", backend=backend)
    x, y = _ids(TRAIN_STEPS * BATCH, seed=1)
    losses = _BatchLosses()
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[losses])
    return model, losses.per_batch()


@pytest.fixture(scope="module")
def trained() -> dict[str, dict]:
    out = {}
    for name, make in MODELS.items():
        ref, ref_losses = _trained(make, "numpy")
        jax_model, jax_losses = _trained(make, "jax")
        out[name] = {"numpy": (ref, ref_losses), "jax": (jax_model, jax_losses)}
    return out


@pytest.mark.parametrize("name", sorted(MODELS))
def test_numpy_and_jax_train_the_same(trained, name: str) -> None:
    (ref, ref_losses), (jax_model, jax_losses) = trained[name]["numpy"], trained[name]["jax"]
    assert len(ref_losses) == TRAIN_STEPS
    np.testing.assert_allclose(jax_losses, ref_losses, rtol=0, atol=1e-4)
    wg.set_seed(0)
    initial = MODELS[name]().get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(initial, ref.get_weights(), strict=True))  # it trained
    for a, b in zip(ref.get_weights(), jax_model.get_weights(), strict=True):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-4)


@pytest.fixture(scope="module")
def bundles(trained, tmp_path_factory) -> dict[str, dict]:
    """Each numpy-trained model exported float32 and int8, with a test input and its predictions."""
    root = tmp_path_factory.mktemp("text_bundles")
    x, _ = _ids(6, seed=9)
    x[0] = 0  # a row of padding only
    x[1, 1:] = 0  # one token
    out = {}
    for name in MODELS:
        model = trained[name]["numpy"][0]
        for quantize in (None, "int8"):
            path = root / f"{name}-{quantize or 'float32'}"
            wg.export(model, path, quantize=quantize, verbose=0)
            out[f"{name}-{quantize or 'float32'}"] = {"path": path, "x": x, "model": model,
                                                     "runner": load_bundle(path).predict(x)}
    return out


@pytest.mark.parametrize("name", sorted(MODELS))
def test_float32_bundle_matches_predict_on_the_python_runner(bundles, name: str) -> None:
    b = bundles[f"{name}-float32"]
    graph_ops = {n["op"] for n in json.loads((b["path"] / "model.json").read_text())["graph"]["nodes"]}
    assert "NotEqual" in graph_ops or name == "text_cnn"  # the transformer's mask is in the bundle
    np.testing.assert_allclose(b["runner"], b["model"].predict(b["x"], verbose=0), rtol=0, atol=1e-4)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_int8_bundle_is_predict_with_its_dequantized_weights(bundles, name: str) -> None:
    b = bundles[f"{name}-int8"]
    want = b["model"].predict(b["x"], verbose=0)
    np.testing.assert_allclose(b["runner"], want, rtol=0, atol=3e-2)
    assert (b["runner"].argmax(1) == want.argmax(1)).mean() >= 0.8
    # the exact check: the model given the weights the bundle stores (int8, dequantized) predicts it
    stored = load_bundle(b["path"]).bundle.graph.constants
    model = b["model"]
    saved = model.get_weights()
    try:
        for w in model.weights:
            w.assign(_stored_value(w.numpy(), stored))
        np.testing.assert_allclose(b["runner"], model.predict(b["x"], verbose=0), rtol=0, atol=1e-4)
    finally:
        model.set_weights(saved)


def _stored_value(w: np.ndarray, constants: dict[str, np.ndarray]) -> np.ndarray:
    """The bundle constant that weight ``w`` became (maybe reshaped by constant folding), dequantized,
    in ``w``'s shape: the one of the same size within an int8 step of ``w``."""
    step = np.abs(w).max() / 127 + 1e-12
    for c in constants.values():
        c = np.asarray(c, np.float32)
        if c.size == w.size and np.abs(c.reshape(w.shape) - w).max() <= step:
            return c.reshape(w.shape)
    raise AssertionError(f"no constant of the bundle holds a weight of shape {w.shape}")


NODE_PREDICT = """
import { loadModel } from %s;
import { nodeGpu } from %s;
const cases = JSON.parse(await (await import('node:fs/promises')).readFile(process.argv[2], 'utf8'));
const { gpu, reason } = await nodeGpu();
const out = { gpu: gpu ? null : reason };
for (const [name, c] of Object.entries(cases)) {
  for (const backend of gpu ? ['js', 'wasm', 'webgpu'] : ['js', 'wasm']) {
    const model = await loadModel(c.path, backend === 'webgpu' ? { backend, gpu } : { backend });
    const y = await model.predict({ data: Int32Array.from(c.x), shape: c.shape });
    out[`${name}/${backend}`] = Array.from(await y.data());
    model.dispose();
  }
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def node_outputs(bundles, tmp_path_factory) -> dict:
    if shutil.which("node") is None:
        pytest.skip("needs Node.js 20")
    tmp = tmp_path_factory.mktemp("node_text")
    cases = {name: {"path": str(b["path"]), "x": b["x"].ravel().tolist(), "shape": list(b["x"].shape)}
             for name, b in bundles.items()}
    (tmp / "cases.json").write_text(json.dumps(cases))
    script = tmp / "predict.mjs"
    script.write_text(NODE_PREDICT % (json.dumps((ROOT / "js_runtime" / "src" / "index.js").as_uri()),
                                      json.dumps((ROOT / "tests" / "node" / "_webgpu.mjs").as_uri())))
    env = {**__import__("os").environ, "VK_ICD_FILENAMES": "/usr/lib/chromium/vk_swiftshader_icd.json"}
    proc = subprocess.run(["node", str(script), str(tmp / "cases.json")], capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.mark.parametrize("backend", ["js", "wasm", "webgpu"])
@pytest.mark.parametrize("name", sorted(f"{m}-{q}" for m in MODELS for q in ("float32", "int8")))
def test_npm_runtime_matches_the_python_runner(bundles, node_outputs, name: str, backend: str) -> None:
    if backend == "webgpu" and node_outputs["gpu"]:
        pytest.skip(f"no WebGPU adapter in Node: {node_outputs['gpu']}")
    want = bundles[name]["runner"]
    got = np.asarray(node_outputs[f"{name}/{backend}"], np.float32).reshape(want.shape)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-4, err_msg=f"{name} on {backend}")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_trainable_export_trains_every_weight(name: str, tmp_path) -> None:
    wg.set_seed(0)
    model = MODELS[name]()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    wg.export(model, tmp_path / "b", trainable=True, verbose=0)
    listed = json.loads((tmp_path / "b" / "model.json").read_text())["training"]["trainable"]
    assert sorted(listed) == sorted(w.name for w in model.trainable_weights)

"""Masking of padded sequences (issue 18) against Keras 3 on JAX, the same weights in both: the mask of
``Embedding(mask_zero=True)`` / ``Masking`` flows through functional and Sequential models, passes
through Dense / Dropout / LayerNormalization / Activation, is dropped by layers that do not support
masking (Conv1D, as in Keras), and is used by the 1-D global poolings and MultiHeadAttention; padded
steps never change a pooled output; masks are op-set ops in the captured graph.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import webgrad as wg
from webgrad.exporter.capture import capture

keras = pytest.importorskip("keras")
L, K = wg.layers, keras.layers
VOCAB, STEPS = 30, 7


def _ids(seed: int = 0) -> np.ndarray:
    """Right-padded id rows of several lengths, one of them all padding-free and one of length 1."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, VOCAB, (5, STEPS)).astype(np.int32)
    for row, length in enumerate([7, 4, 1, 3, 6]):
        ids[row, length:] = 0
    return ids


def _pair(build_wg, build_keras, x: np.ndarray, atol: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """Both models on ``x`` after copying Keras's weights into webgrad's."""
    keras.utils.set_random_seed(3)
    km = build_keras()
    wm = build_wg()
    wm.set_weights(km.get_weights())
    want = np.asarray(km.predict(x, verbose=0))
    got = wm.predict(x, verbose=0)
    np.testing.assert_allclose(got, want, rtol=0, atol=atol)
    return got, want


def test_embedding_mask_is_keras_mask_as_float32() -> None:
    ids = _ids()
    got = L.Embedding(VOCAB, 3, mask_zero=True).compute_mask(ids).numpy()
    want = np.asarray(K.Embedding(VOCAB, 3, mask_zero=True).compute_mask(ids))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, want.astype(np.float32))
    assert L.Embedding(VOCAB, 3).compute_mask(ids) is None
    layer = L.Embedding.from_config(L.Embedding(VOCAB, 3, mask_zero=True).get_config())
    assert layer.mask_zero and layer.supports_masking


@pytest.mark.parametrize("pool", ["GlobalAveragePooling1D", "GlobalAveragePooling1D-keepdims"])
def test_functional_average_pooling_of_embeddings_matches_keras(pool: str) -> None:
    keepdims = pool.endswith("keepdims")

    def model(lib):
        ids = lib.Input((STEPS,), dtype="int32")
        x = lib.layers.Embedding(VOCAB, 6, mask_zero=True)(ids)
        return lib.Model(ids, lib.layers.GlobalAveragePooling1D(keepdims=keepdims)(x))

    _pair(lambda: model(wg), lambda: model(keras), _ids())


def test_mask_passes_through_dense_dropout_norm_activation_in_sequential() -> None:
    def model(lib):
        return lib.Sequential([
            lib.Input((STEPS,), dtype="int32"),
            lib.layers.Embedding(VOCAB, 6, mask_zero=True),
            lib.layers.Dense(5, activation="tanh"),
            lib.layers.Dropout(0.3),
            lib.layers.LayerNormalization(),
            lib.layers.Activation("relu"),
            lib.layers.GlobalAveragePooling1D(),
            lib.layers.Dense(2),
        ])

    got, _ = _pair(lambda: model(wg), lambda: model(keras), _ids())
    assert got.shape == (5, 2)


def test_conv1d_drops_the_mask_as_in_keras() -> None:
    def model(lib):
        ids = lib.Input((STEPS,), dtype="int32")
        x = lib.layers.Embedding(VOCAB, 4, mask_zero=True)(ids)
        x = lib.layers.Conv1D(3, 2, padding="same")(x)
        return lib.Model(ids, lib.layers.GlobalAveragePooling1D()(x))

    with pytest.warns(UserWarning):  # Keras says the mask is destroyed; webgrad does the same, silently
        keras.utils.set_random_seed(0)
        model(keras)
    _pair(lambda: model(wg), lambda: model(keras), _ids())


def test_masking_layer_matches_keras() -> None:
    x = np.random.default_rng(1).normal(size=(4, STEPS, 3)).astype(np.float32)
    x[0, 5:] = 0.0
    x[2, 1:] = 0.0
    x[3, 2, 0] = 0.0  # one zero feature: not masked

    def model(lib):
        inp = lib.Input((STEPS, 3))
        h = lib.layers.Dense(4)(lib.layers.Masking(0.0)(inp))
        return lib.Model(inp, lib.layers.GlobalAveragePooling1D()(h))

    _pair(lambda: model(wg), lambda: model(keras), x)
    np.testing.assert_array_equal(L.Masking(0.0)(x).numpy(), np.asarray(K.Masking(0.0)(x)))
    np.testing.assert_array_equal(L.Masking(0.0).compute_mask(x).numpy(),
                                  np.asarray(K.Masking(0.0).compute_mask(x)).astype(np.float32))


def test_attention_takes_query_and_value_masks_from_the_graph() -> None:
    def model(lib):
        ids = lib.Input((STEPS,), dtype="int32")
        x = lib.layers.Embedding(VOCAB, 8, mask_zero=True)(ids)
        x = lib.layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
        return lib.Model(ids, lib.layers.GlobalAveragePooling1D()(x))

    got, _ = _pair(lambda: model(wg), lambda: model(keras), _ids())
    # without the mask the padded keys would be attended to: the outputs differ
    keras.utils.set_random_seed(3)
    km = model(keras)
    ids = wg.Input((STEPS,), dtype="int32")
    x = L.Embedding(VOCAB, 8)(ids)
    plain = wg.Model(ids, L.GlobalAveragePooling1D()(L.MultiHeadAttention(2, 4)(x, x)))
    plain.set_weights(km.get_weights())
    assert np.abs(plain.predict(_ids(), verbose=0) - got).max() > 1e-3


def _padding_changed(ids: np.ndarray, model: wg.Model, embed: wg.layers.Embedding) -> float:
    """How much the outputs move when the padding's embedding row becomes huge."""
    before = model.predict(ids, verbose=0)
    table = embed.get_weights()[0]
    table[0] = 1e3
    embed.set_weights([table])
    return float(np.abs(model.predict(ids, verbose=0) - before).max())


@pytest.mark.parametrize("pool", [L.GlobalAveragePooling1D, L.GlobalMaxPooling1D])
def test_padded_steps_never_change_a_pooled_output(pool) -> None:
    ids = wg.Input((STEPS,), dtype="int32")
    embed = L.Embedding(VOCAB, 6, mask_zero=True)
    x = L.TransformerEncoder(intermediate_dim=8, num_heads=2)(embed(ids))
    model = wg.Model(ids, pool()(x))
    assert _padding_changed(_ids(), model, embed) < 1e-5
    # the same model without mask_zero does see the padding
    ids2 = wg.Input((STEPS,), dtype="int32")
    embed2 = L.Embedding(VOCAB, 6)
    model2 = wg.Model(ids2, pool()(L.TransformerEncoder(intermediate_dim=8, num_heads=2)(embed2(ids2))))
    assert _padding_changed(_ids(), model2, embed2) > 1e-2


def test_global_max_pooling_masked_is_the_max_over_unmasked_steps() -> None:
    """Keras 3's GlobalMaxPooling1D ignores masks; webgrad's takes the max of the real steps (checked
    against keras.ops on the same values), and a row with no real step gives 0."""
    x = np.random.default_rng(2).normal(size=(5, STEPS, 3)).astype(np.float32)
    mask = _ids() != 0
    mask[2] = False
    got = L.GlobalMaxPooling1D()(x, mask=mask).numpy()
    want = np.array(keras.ops.max(keras.ops.where(mask[..., None], x, -np.inf), axis=1))
    want[2] = 0.0
    np.testing.assert_array_equal(got, want)
    avg = L.GlobalAveragePooling1D()(x, mask=mask.astype(np.int32)).numpy()
    keras_avg = np.array(K.GlobalAveragePooling1D()(x, mask=mask))
    np.testing.assert_allclose(avg[[0, 1, 3, 4]], keras_avg[[0, 1, 3, 4]], rtol=0, atol=1e-6)
    assert np.isnan(keras_avg[2]).all() and (avg[2] == 0).all()  # Keras divides 0 by 0


def test_masks_are_ops_of_the_captured_graph() -> None:
    ids = wg.Input((STEPS,), dtype="int32")
    x = L.Embedding(VOCAB, 4, mask_zero=True)(ids)
    model = wg.Model(ids, L.GlobalMaxPooling1D()(L.Dense(3)(x)))
    ops = [n.op for n in capture(model).nodes]
    assert "NotEqual" in ops and "Where" in ops


def test_a_subclassed_model_passes_masks_explicitly() -> None:
    class Net(wg.Model):
        def __init__(self):
            super().__init__()
            self.embed = L.Embedding(VOCAB, 4, mask_zero=True)
            self.pool = L.GlobalAveragePooling1D()

        def call(self, ids):
            return self.pool(self.embed(ids), mask=self.embed.compute_mask(ids))

    net = Net()
    ids = _ids()
    got = net.predict(ids, verbose=0)
    table = net.embed.get_weights()[0]
    lengths = (ids != 0).sum(1, keepdims=True)
    np.testing.assert_allclose(got, (table[ids] * (ids != 0)[..., None]).sum(1) / lengths, rtol=0, atol=1e-6)


def test_a_saved_model_keeps_its_masking(tmp_path) -> None:
    ids = wg.Input((STEPS,), dtype="int32")
    x = L.TokenAndPositionEmbedding(VOCAB, STEPS, 6, mask_zero=True)(ids)
    model = wg.Model(ids, L.GlobalAveragePooling1D()(L.TransformerEncoder(8, 2)(x)))
    model.save(tmp_path / "m.keras")
    again = wg.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.predict(_ids(), verbose=0), model.predict(_ids(), verbose=0), rtol=0, atol=1e-6)

"""Sequence layers of issue 18 against Keras 3 on JAX, the same weights in both (1e-5): Conv1D (valid,
same, causal; strides, dilation, groups), MaxPooling1D / AveragePooling1D, MultiHeadAttention (self
and cross attention, value_dim / output_shape, attention scores, causal and explicit masks, the
dropout path), and a TransformerEncoder against the same block written with Keras layers the way
keras_hub documents it; the embeddings' positions against their definition; configs and errors.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import webgrad as wg

keras = pytest.importorskip("keras")
L, K = wg.layers, keras.layers


def _x(shape: tuple, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


CONV_CASES = [
    dict(padding="valid"),
    dict(padding="same", strides=2),
    dict(padding="causal", dilation_rate=2),
    dict(padding="causal", strides=2),
    dict(padding="same", groups=2, activation="relu"),
    dict(padding="valid", strides=3, use_bias=False, activation="gelu"),
]


@pytest.mark.parametrize("kwargs", CONV_CASES, ids=lambda k: "-".join(f"{a}={b}" for a, b in k.items()))
def test_conv1d_matches_keras(kwargs: dict) -> None:
    x = _x((2, 11, 4))
    ref = K.Conv1D(6, 3, **kwargs)
    want = np.asarray(ref(x))
    layer = L.Conv1D(6, 3, **kwargs)
    layer.build((None, 11, 4))
    assert [w.shape for w in layer.get_weights()] == [w.shape for w in ref.get_weights()]
    layer.set_weights(ref.get_weights())
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=0, atol=1e-5)
    ours, theirs = layer.get_config(), ref.get_config()
    for key in ("filters", "kernel_size", "strides", "padding", "dilation_rate", "groups", "use_bias"):
        assert ours[key] == (list(theirs[key]) if isinstance(theirs[key], tuple) else theirs[key]), key
    again = L.Conv1D.from_config(ours)
    again.build((None, 11, 4))
    again.set_weights(ref.get_weights())
    np.testing.assert_allclose(again(x).numpy(), want, rtol=0, atol=1e-5)


@pytest.mark.parametrize("name", ["MaxPooling1D", "AveragePooling1D"])
@pytest.mark.parametrize("kwargs", [dict(pool_size=2), dict(pool_size=3, strides=2, padding="same"),
                                    dict(pool_size=4, padding="same"), dict(pool_size=3, strides=1)])
def test_pooling1d_matches_keras(name: str, kwargs: dict) -> None:
    x = _x((2, 11, 3), seed=1)
    np.testing.assert_allclose(getattr(L, name)(**kwargs)(x).numpy(), np.asarray(getattr(K, name)(**kwargs)(x)),
                               rtol=0, atol=1e-6)
    assert L.MaxPool1D is L.MaxPooling1D and L.AvgPool1D is L.AveragePooling1D


def test_sequence_layers_refuse_bad_inputs_and_arguments() -> None:
    with pytest.raises(ValueError, match="3-D input"):
        L.Conv1D(2, 3)(np.ones((1, 4, 4, 2), np.float32))
    with pytest.raises(ValueError, match="strides > 1 and dilation_rate > 1"):
        L.Conv1D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="divisible by groups"):
        L.Conv1D(2, 3, groups=2)(np.ones((1, 5, 3), np.float32))
    with pytest.raises(ValueError, match="kernel_size"):
        L.Conv1D(2, (3, 3))
    with pytest.raises(ValueError, match="padding"):
        L.MaxPooling1D(2, padding="causal")
    with pytest.raises(ValueError, match="3-D input"):
        L.AveragePooling1D()(np.ones((1, 4), np.float32))


def _mha_pair(x, v, init: dict, call: dict):
    ref = K.MultiHeadAttention(**init)
    want = ref(x, v, **call)
    layer = L.MultiHeadAttention(**init)
    layer.build(x.shape, v.shape)
    assert [w.shape for w in layer.get_weights()] == [w.shape for w in ref.get_weights()]
    layer.set_weights(ref.get_weights())
    return layer(x, v, **call), want


ATTENTION_CASES = {
    "self": (dict(num_heads=2, key_dim=4), dict()),
    "cross-value_dim-output_shape-scores": (dict(num_heads=3, key_dim=4, value_dim=2, output_shape=5),
                                            dict(return_attention_scores=True)),
    "causal": (dict(num_heads=2, key_dim=3), dict(use_causal_mask=True)),
    "no-bias-scores": (dict(num_heads=1, key_dim=8, use_bias=False), dict(return_attention_scores=True)),
}


@pytest.mark.parametrize("case", sorted(ATTENTION_CASES))
def test_multi_head_attention_matches_keras(case: str) -> None:
    init, call = ATTENTION_CASES[case]
    x = _x((2, 6, 8))
    v = x if case in ("self", "causal") else _x((2, 5, 7), seed=2)
    got, want = _mha_pair(x, v, init, call)
    for g, w in zip(got if isinstance(got, tuple) else [got], want if isinstance(want, tuple) else [want],
                    strict=True):
        np.testing.assert_allclose(g.numpy(), np.asarray(w), rtol=0, atol=1e-5)


@pytest.mark.parametrize("scores", [False, True])
def test_attention_masks_match_keras_on_both_of_its_paths(scores: bool) -> None:
    """An explicit attention_mask with a fully masked query row: Keras's dot-product path attends evenly,
    its Softmax-layer path (scores returned, or dropout) attends to nothing; webgrad follows each."""
    x = _x((2, 5, 8), seed=3)
    mask = np.random.default_rng(4).random((2, 5, 5)) > 0.4
    mask[:, :, 0] = True
    mask[1, 3] = False  # one query sees no key
    got, want = _mha_pair(x, x, dict(num_heads=2, key_dim=4),
                          dict(attention_mask=mask, return_attention_scores=scores))
    for g, w in zip(got if scores else [got], want if scores else [want], strict=True):
        np.testing.assert_allclose(g.numpy(), np.asarray(w), rtol=0, atol=1e-5)
    # dropout > 0 at inference takes Keras's Softmax-layer path too
    got, want = _mha_pair(x, x, dict(num_heads=2, key_dim=4, dropout=0.5), dict(attention_mask=mask))
    np.testing.assert_allclose(got.numpy(), np.asarray(want), rtol=0, atol=1e-5)


def test_multi_head_attention_refuses_what_it_does_not_support() -> None:
    with pytest.raises(ValueError, match="num_heads"):
        L.MultiHeadAttention(0, 4)
    with pytest.raises(ValueError, match="key_dim"):
        L.MultiHeadAttention(2, 1.5)
    with pytest.raises(NotImplementedError, match="attention_axes"):
        L.MultiHeadAttention(2, 4, attention_axes=(1, 2))
    with pytest.raises(NotImplementedError, match="output_shape"):
        L.MultiHeadAttention(2, 4, output_shape=(2, 3))
    with pytest.raises(ValueError, match="3-D query"):
        L.MultiHeadAttention(2, 4)(np.ones((1, 2, 3, 4), np.float32), np.ones((1, 2, 3, 4), np.float32))


def test_multi_head_attention_in_a_functional_model_and_its_config() -> None:
    q, v = wg.Input((6, 8)), wg.Input((4, 5))
    mha = L.MultiHeadAttention(2, 3, value_dim=2, output_shape=7)
    model = wg.Model([q, v], mha(q, v))
    assert model.output_shapes == [(None, 6, 7)]
    assert mha.count_params() == (8 * 2 * 3 + 2 * 3) + (5 * 2 * 3 + 2 * 3) + (5 * 2 * 2 + 2 * 2) + (2 * 2 * 7 + 7)
    config = mha.get_config()
    assert {k: config[k] for k in ("num_heads", "key_dim", "value_dim", "output_shape", "dropout")} == \
        {"num_heads": 2, "key_dim": 3, "value_dim": 2, "output_shape": 7, "dropout": 0.0}
    out = model.predict([_x((3, 6, 8)), _x((3, 4, 5), 1)], verbose=0)
    assert out.shape == (3, 6, 7)


def _keras_encoder(hidden: int, intermediate: int, heads: int, normalize_first: bool, activation: str):
    """keras_hub's TransformerEncoder block, written with Keras layers as keras_hub documents it."""
    mha = K.MultiHeadAttention(heads, hidden // heads)
    ln1, ln2 = K.LayerNormalization(epsilon=1e-5), K.LayerNormalization(epsilon=1e-5)
    d1, d2 = K.Dense(intermediate, activation=activation), K.Dense(hidden)

    def run(x, padding_mask):
        attention_mask = None if padding_mask is None else padding_mask[:, None, :]
        residual = x
        h = ln1(x) if normalize_first else x
        h = mha(h, h, attention_mask=attention_mask) + residual
        h = h if normalize_first else ln1(h)
        residual = h
        f = ln2(h) if normalize_first else h
        f = d2(d1(f)) + residual
        return f if normalize_first else ln2(f)

    run(np.zeros((1, 3, hidden), np.float32), None)  # builds the layers
    weights = [*mha.get_weights(), *ln1.get_weights(), *ln2.get_weights(), *d1.get_weights(), *d2.get_weights()]
    return run, weights


@pytest.mark.parametrize("normalize_first", [False, True])
def test_transformer_encoder_matches_the_keras_block(normalize_first: bool) -> None:
    keras.utils.set_random_seed(5)
    run, weights = _keras_encoder(8, 16, 2, normalize_first, "gelu")
    x = _x((3, 6, 8), seed=6)
    padding = np.ones((3, 6), bool)
    padding[1, 4:] = False
    padding[2, 1:] = False
    layer = L.TransformerEncoder(16, 2, activation="gelu", normalize_first=normalize_first)
    layer.build((None, 6, 8))
    layer.set_weights(weights)
    np.testing.assert_allclose(layer(x, padding_mask=padding).numpy(), np.asarray(run(x, padding)), rtol=0, atol=1e-5)
    np.testing.assert_allclose(layer(x).numpy(), np.asarray(run(x, None)), rtol=0, atol=1e-5)
    _, scores = layer(x, padding_mask=padding, return_attention_scores=True)
    assert scores.shape == (3, 2, 6, 6) and np.all(scores.numpy()[2, :, :, 1:] == 0)
    again = L.TransformerEncoder.from_config(layer.get_config())
    assert again.normalize_first is normalize_first and again.activation == "gelu"


def test_transformer_encoder_errors() -> None:
    with pytest.raises(ValueError, match="num_heads"):
        L.TransformerEncoder(8, 4)(np.ones((1, 3, 2), np.float32))
    with pytest.raises(ValueError, match="3-D input"):
        L.TransformerEncoder(8, 2)(np.ones((1, 4), np.float32))


def test_position_embeddings_are_the_table_rows() -> None:
    layer = L.PositionEmbedding(sequence_length=10)
    x = _x((2, 4, 3))
    got = layer(x).numpy()
    table = layer.get_weights()[0]
    assert table.shape == (10, 3) and L.PositionalEmbedding is L.PositionEmbedding
    np.testing.assert_array_equal(got, np.broadcast_to(table[:4], (2, 4, 3)))
    np.testing.assert_array_equal(layer(x, start_index=3).numpy()[0], table[3:7])
    with pytest.raises(ValueError, match="sequence_length"):
        layer(_x((1, 11, 3)))

    tok = L.TokenAndPositionEmbedding(vocabulary_size=20, sequence_length=8, embedding_dim=5, mask_zero=True)
    ids = np.array([[3, 9, 1, 0, 0], [7, 0, 0, 0, 0]])
    out = tok(ids).numpy()
    tokens, positions = tok.get_weights()
    assert tokens.shape == (20, 5) and positions.shape == (8, 5)
    np.testing.assert_allclose(out, tokens[ids] + positions[:5], rtol=0, atol=1e-7)
    np.testing.assert_array_equal(tok.compute_mask(ids).numpy(), (ids != 0).astype(np.float32))
    assert L.TokenAndPositionEmbedding(20, 8, 5).compute_mask(ids) is None


def test_a_functional_model_with_top_level_attention_exports(tmp_path) -> None:
    from webgrad.exporter import load_bundle

    q, v = wg.Input((6, 8)), wg.Input((4, 5))
    model = wg.Model([q, v], L.MultiHeadAttention(2, 3)(q, v))
    wg.export(model, tmp_path / "b", verbose=0)
    xs = [_x((2, 6, 8)), _x((2, 4, 5), 1)]
    np.testing.assert_allclose(load_bundle(tmp_path / "b").predict(xs), model.predict(xs, verbose=0), atol=1e-5)

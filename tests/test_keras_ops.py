"""``wg.ops`` against ``keras.ops`` (Keras 3 on JAX): the same call on the same random inputs gives the
same values, shapes and dtypes; the ops also run on symbolic tensors, differentiate, and a custom
layer written with them exports to a bundle that runs like ``predict``."""

from __future__ import annotations

import inspect
import os

os.environ["KERAS_BACKEND"] = "jax"

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import webgrad as wg  # noqa: E402
from webgrad import autodiff, keras_names  # noqa: E402
from webgrad.exporter.runner import load_bundle  # noqa: E402
from webgrad.tensor import SymbolicTensor, Tensor  # noqa: E402

rng = np.random.default_rng(0)
X = rng.normal(size=(2, 3, 4)).astype(np.float32)
M = rng.normal(size=(3, 4)).astype(np.float32)
N = rng.normal(size=(4, 5)).astype(np.float32)
V = rng.normal(size=(4,)).astype(np.float32)
POS = (np.abs(M) + 0.1).astype(np.float32)
Z = rng.integers(-5, 6, size=(3, 4)).astype(np.int32)
LABELS = np.array([2, 0, 1, 3], np.int32)
IMG = rng.normal(size=(2, 6, 6, 3)).astype(np.float32)
SEQ = rng.normal(size=(2, 7, 3)).astype(np.float32)
MASK = rng.random((3, 4)) > 0.5
NAN_M = np.where(MASK, M, np.nan).astype(np.float32)
Q = rng.normal(size=(2, 5, 2, 8)).astype(np.float32)
KV = rng.normal(size=(2, 5, 2, 8)).astype(np.float32)
ATT_MASK = rng.random((2, 1, 5, 5)) > 0.3
PROBS = (np.exp(M) / np.exp(M).sum(-1, keepdims=True)).astype(np.float32)

# (name, args, kwargs): the same call under keras.ops and wg.ops
CASES = [
    ("ones", ((2, 3),), {}), ("zeros", ((2,),), {"dtype": "int32"}), ("full", ((2, 2), 7), {}),
    ("ones_like", (M,), {}), ("zeros_like", (Z,), {}), ("full_like", (Z, 3), {}),
    ("eye", (3,), {}), ("eye", (3, 4, 1), {}), ("identity", (2,), {}), ("tri", (3,), {"k": -1}),
    ("arange", (5,), {}), ("arange", (1.0, 3.0, 0.5), {}), ("arange", (2, 10, 3), {}), ("linspace", (0, 1, 5), {}),
    ("convert_to_tensor", ([1, 2],), {}), ("convert_to_tensor", (np.ones(2),), {}),
    ("cast", (M, "int32"), {}), ("cast", (Z, "float32"), {}),
    ("reshape", (X, (-1, 4)), {}), ("reshape", (X, (6, 4)), {}), ("expand_dims", (M, 0), {}),
    ("expand_dims", (M, -1), {}), ("expand_dims", (M, (0, 2)), {}), ("squeeze", (M[None],), {}),
    ("squeeze", (X[:, :1], 1), {}), ("transpose", (X,), {}), ("transpose", (X, (1, 0, 2)), {}),
    ("swapaxes", (X, 0, 2), {}), ("moveaxis", (X, 0, -1), {}), ("ravel", (M,), {}),
    ("concatenate", ([M, M],), {"axis": 1}), ("concatenate", ([M, Z],), {}), ("stack", ([M, M],), {}),
    ("stack", ([V, V],), {"axis": 1}), ("split", (M, 2), {"axis": 1}), ("split", (X, [1, 2]), {"axis": 1}),
    ("take", (M, LABELS[:2]), {"axis": 1}), ("take", (M, LABELS), {}), ("flip", (M,), {"axis": 1}),
    ("tril", (M,), {}), ("triu", (M,), {"k": 1}),
    ("one_hot", (LABELS, 4), {}), ("one_hot", (LABELS, 4), {"axis": 0}), ("multi_hot", (LABELS[None], 5), {}),
    ("matmul", (M, N), {}), ("matmul", (X, N), {}), ("matmul", (M, V), {}), ("matmul", (V, N), {}),
    ("matmul", (Z, Z.T), {}), ("dot", (V, V), {}), ("dot", (M, N), {}), ("dot", (X, V), {}),
    ("outer", (V, V), {}),
    ("add", (M, 1), {}), ("add", (Z, 1), {}), ("add", (Z, Z), {}), ("add", (Z, 1.5), {}), ("add", (M, V), {}),
    ("subtract", (M, V), {}), ("subtract", (Z, 2), {}), ("multiply", (M, Z), {}), ("multiply", (Z, 3), {}),
    ("divide", (M, POS), {}), ("divide", (Z, 2), {}), ("true_divide", (M, 2.0), {}), ("negative", (M,), {}),
    ("negative", (Z,), {}), ("reciprocal", (POS,), {}), ("power", (M, 2), {}), ("power", (M, 3), {}),
    ("power", (POS, 0.5), {}), ("power", (POS, -2), {}), ("power", (POS, 1.7), {}), ("power", (Z, 2), {}),
    ("power", (M, 0), {}), ("square", (M,), {}), ("square", (Z,), {}), ("sqrt", (POS,), {}), ("sqrt", (Z * Z,), {}),
    ("rsqrt", (POS,), {}), ("exp", (M,), {}), ("log", (POS,), {}), ("log2", (POS,), {}), ("log10", (POS,), {}),
    ("abs", (M,), {}), ("abs", (Z,), {}), ("absolute", (M,), {}), ("maximum", (M, 0.1), {}),
    ("maximum", (Z, 0), {}), ("minimum", (M, N[:3, :4]), {}), ("clip", (M, -0.5, 0.5), {}), ("clip", (Z, -1, 2), {}),
    ("where", (MASK, M, -M), {}), ("where", (MASK, M, 0.0), {}), ("where", (MASK, Z, 0), {}),
    ("where", (MASK, M, -np.inf), {}),
    ("mean", (X,), {}), ("mean", (X, 1), {}), ("mean", (X, (0, 2)), {"keepdims": True}), ("mean", (Z,), {}),
    ("sum", (X, -1), {}), ("sum", (Z,), {"axis": 0}), ("max", (X, 1), {}), ("max", (Z,), {}),
    ("max", (M, 0), {"initial": 0.5}), ("min", (X,), {"axis": 2, "keepdims": True}), ("min", (Z, 1), {}),
    ("amax", (M,), {}), ("amin", (M, 0), {}), ("argmax", (M, 1), {}), ("argmax", (M,), {}), ("argmin", (M, 0), {}),
    ("argmax", (X, -1), {"keepdims": True}), ("var", (X, 1), {}), ("std", (M,), {}), ("std", (M, -1), {}),
    ("moments", (X, (0, 1)), {}), ("logsumexp", (X, -1), {}), ("logsumexp", (M,), {}),
    ("logsumexp", (X, 1), {"keepdims": True}), ("cumsum", (M, 1), {}), ("cumsum", (Z,), {}),
    ("relu", (M,), {}), ("relu6", (M * 5,), {}), ("sigmoid", (M,), {}), ("tanh", (M,), {}), ("softmax", (X,), {}),
    ("softmax", (X, 1), {}), ("log_softmax", (X,), {}), ("gelu", (M,), {}), ("gelu", (M, False), {}),
    ("leaky_relu", (M,), {}), ("leaky_relu", (M, 0.1), {}), ("softplus", (M * 10,), {}), ("softsign", (M,), {}),
    ("silu", (M,), {}), ("swish", (M,), {}), ("hard_sigmoid", (M * 4,), {}), ("hard_silu", (M * 4,), {}),
    ("hard_swish", (M * 4,), {}), ("elu", (M,), {}), ("elu", (M, 0.5), {}), ("selu", (M,), {}),
    ("celu", (M, 2.0), {}), ("log_sigmoid", (M * 10,), {}), ("hard_tanh", (M * 2,), {}), ("squareplus", (M,), {}),
    ("tanh_shrink", (M,), {}), ("soft_shrink", (M,), {}), ("sparse_plus", (M * 2,), {}),
    ("sparse_sigmoid", (M * 2,), {}), ("glu", (M,), {}),
    ("conv", (IMG, rng.normal(size=(3, 3, 3, 4)).astype(np.float32)), {}),
    ("conv", (IMG, rng.normal(size=(3, 3, 3, 4)).astype(np.float32)), {"strides": 2, "padding": "same"}),
    ("conv", (IMG, rng.normal(size=(2, 2, 3, 2)).astype(np.float32)), {"dilation_rate": 2}),
    ("conv", (SEQ, rng.normal(size=(3, 3, 5)).astype(np.float32)), {"padding": "same"}),
    ("depthwise_conv", (IMG, rng.normal(size=(3, 3, 3, 2)).astype(np.float32)), {"padding": "same"}),
    ("separable_conv", (IMG, rng.normal(size=(3, 3, 3, 2)).astype(np.float32),
                        rng.normal(size=(1, 1, 6, 4)).astype(np.float32)), {}),
    ("max_pool", (IMG, (2, 2)), {"strides": (2, 2)}),
    ("max_pool", (IMG, (3, 3)), {"strides": (2, 2), "padding": "same"}),
    ("average_pool", (IMG, (2, 3)), {"strides": (2, 3)}),
    ("average_pool", (IMG, (3, 3)), {"strides": (2, 2), "padding": "same"}),
    ("max_pool", (SEQ, (2,)), {"strides": (2,)}), ("average_pool", (SEQ, (3,)), {"strides": (1,), "padding": "same"}),
    ("batch_normalization", (X, V, POS[0], -1), {"offset": V, "scale": POS[1]}),
    ("batch_normalization", (X, V[:3], POS[0, :3], 1), {}),
    ("normalize", (M,), {}), ("normalize", (M, 0), {}),
    ("categorical_crossentropy", (PROBS, PROBS), {}), ("categorical_crossentropy", (PROBS, M), {"from_logits": True}),
    ("sparse_categorical_crossentropy", (LABELS[:3], PROBS), {}),
    ("sparse_categorical_crossentropy", (LABELS[:3], M), {"from_logits": True}),
    ("binary_crossentropy", ((M > 0).astype(np.float32), PROBS), {}),
    ("binary_crossentropy", ((M > 0).astype(np.float32), M), {"from_logits": True}),
    ("slice", (X, (0, 1, 1), (2, 2, 3)), {}), ("tile", (M, (2, 1)), {}), ("tile", (V, (2, 2)), {}),
    ("repeat", (M, 2), {"axis": 1}), ("repeat", (Z, np.array([1, 0, 2])), {"axis": 0}), ("repeat", (V, 2), {}),
    ("broadcast_to", (V, (3, 4)), {}), ("broadcast_to", (Z[:1], (2, 4)), {}), ("pad", (M, ((1, 0), (2, 1))), {}),
    ("pad", (Z, 1), {"constant_values": 7}), ("pad", (X, ((0, 0), (1, 1), (0, 2))), {}),
    ("unstack", (M,), {"axis": 1}), ("hstack", ([M, M],), {}), ("vstack", ([V, V],), {}),
    ("append", (M, V), {}), ("append", (M, M), {"axis": 0}), ("diagonal", (M,), {}), ("diagonal", (M, 1), {}),
    ("diagonal", (X, -1, 1, 2), {}), ("trace", (M,), {}), ("trace", (Z, 1), {}), ("average", (M,), {}),
    ("average", (M, 1), {"weights": V}), ("average", (M, 0), {"weights": POS}), ("ptp", (M, 1), {}),
    ("vdot", (M, M), {}), ("inner", (M, M), {}), ("inner", (V, V), {}), ("tensordot", (X, N), {"axes": 1}),
    ("tensordot", (M, X), {"axes": ([0, 1], [1, 2])}), ("tensordot", (M, N[:, :3].T), {"axes": 2}),
    ("logaddexp", (M, N[:3, :4] * 50), {}), ("hypot", (M, POS), {}), ("deg2rad", (M,), {}), ("rad2deg", (M,), {}),
    ("copy", (M,), {}), ("array", ([1.0, 2.0],), {}), ("empty", ((2, 3),), {}), ("empty_like", (Z,), {}),
    ("layer_normalization", (X,), {}), ("layer_normalization", (X, V, V), {"epsilon": 1e-3}),
    ("layer_normalization", (X, POS[0, :3], None, 1), {}),
    ("rms_normalization", (X,), {}), ("rms_normalization", (X, V), {"epsilon": 1e-5}),
    ("dot_product_attention", (Q, KV, KV), {}), ("dot_product_attention", (Q, KV, KV), {"is_causal": True}),
    ("dot_product_attention", (Q, KV, KV), {"mask": ATT_MASK, "scale": 0.3}),
    ("dot_product_attention", (Q, KV, KV), {"bias": rng.normal(size=(2, 2, 5, 5)).astype(np.float32)}),
    ("get_item", (X, (slice(1, None), -1)), {}), ("get_item", (X, 1), {}), ("get_item", (M, (Ellipsis, 0)), {}),
    ("get_item", (X, (None, 0, slice(None, None, 2))), {}), ("get_item", (Z, (slice(-2, None), slice(None, -1))), {}),
    ("trunc", (M * 3,), {}), ("trunc", (Z,), {}), ("sign", (M,), {}), ("sign", (Z,), {}), ("floor", (M * 3,), {}),
    ("floor", (Z,), {}), ("ceil", (M * 3,), {}), ("ceil", (Z,), {}), ("abs", (NAN_M,), {}), ("log1p", (POS,), {}),
    ("expm1", (M,), {}), ("exp2", (M,), {}),
    ("logaddexp2", (M, N[:3, :4] * 30), {}), ("sinh", (M,), {}), ("cosh", (M,), {}), ("arcsinh", (M * 100,), {}),
    ("arccosh", (POS + 1,), {}), ("arctanh", (M / 4,), {}), ("roll", (M, 1), {}), ("roll", (M, (1, -2), (0, 1)), {}),
    ("roll", (X, 3), {"axis": -1}), ("rot90", (M,), {}), ("rot90", (X, 2, (1, 2)), {}), ("rot90", (M, 3), {}),
    ("depth_to_space", (rng.normal(size=(2, 2, 3, 8)).astype(np.float32), 2), {}),
    ("space_to_depth", (IMG, 3), {}), ("array_split", (X, 2), {"axis": 2}), ("array_split", (V[:3], 2), {}),
    ("hsplit", (M, 2), {}), ("vsplit", (M, [1]), {}), ("dsplit", (X, 2), {}), ("dstack", ([M, M],), {}),
    ("dstack", ([V, V],), {}), ("diag", (V,), {}), ("diag", (V, 1), {}), ("diag", (Z[0], -2), {}), ("diag", (M,), {}),
    ("diagflat", (M[:2, :2],), {"k": 1}), ("saturate_cast", (M * 300, "uint8"), {}),
    ("saturate_cast", (M * 300, "int8"), {}), ("psnr", (M, M + 0.1 * N[:3, :4], 2.0), {}),
    ("shape", (X,), {}), ("ndim", (X,), {}), ("size", (X,), {}), ("dtype", (Z,), {}),
    ("convert_to_numpy", (M,), {}), ("stop_gradient", (M,), {}),
]


def _flat(x):
    return list(x) if isinstance(x, list | tuple) and not all(isinstance(v, int) for v in x) else [x]


def _compare(name, want, got):
    want, got = _flat(want), _flat(got)
    assert len(want) == len(got), name
    for w, g in zip(want, got, strict=True):
        if isinstance(w, int | str | tuple):
            assert w == g or str(w) == str(g), (name, w, g)
            continue
        w, g = np.asarray(w), np.asarray(g)
        assert g.shape == w.shape, (name, g.shape, w.shape)
        assert str(g.dtype) == str(w.dtype), (name, g.dtype, w.dtype)
        np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-5, err_msg=name)


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_keras_ops(name, args, kwargs):
    want = getattr(keras.ops, name)(*args, **kwargs)
    got = getattr(wg.ops, name)(*args, **kwargs)
    _compare(name, want, got)


def test_signatures_are_keras_s():
    """Every wg.ops function takes Keras's parameters, by the same names and defaults."""
    for name in wg.ops.__all__:
        theirs = inspect.signature(getattr(keras.ops, name)).parameters
        ours = inspect.signature(getattr(wg.ops, name)).parameters
        assert list(ours) == list(theirs), name
        for p in theirs.values():
            assert ours[p.name].default == p.default or (name, p.name) == ("cast", "dtype"), (name, p.name)


def test_control_flow_runs_unrolled_like_keras():
    def loops(o):
        looped = o.fori_loop(0, 4, lambda i, v: o.add(o.multiply(v, 2.0), i), M)
        scans = [o.scan(lambda c, x: (o.add(c, x), o.multiply(c, x)), V, M, reverse=r) for r in (False, True)]
        return [looped, *[t for pair in scans for t in pair], o.map(o.softmax, X)]

    for w, g in zip(loops(keras.ops), loops(wg.ops), strict=True):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-6)
    assert wg.ops.cond(np.array(False), lambda: 1.0, lambda: 2.0) == float(keras.ops.cond(np.array(False), lambda: 1.0,
                                                                                          lambda: 2.0))
    branches = [lambda x: x + 1.0, lambda x: x * 10.0]
    for i in (-3, 0, 1, 5):
        assert float(wg.ops.switch(i, branches, 2.0)) == float(keras.ops.switch(i, branches, 2.0))
    with pytest.raises(NotImplementedError, match="not supported yet"):
        wg.ops.cond(SymbolicTensor((None,), "float32"), lambda: 1, lambda: 2)


def test_every_keras_ops_name_is_implemented_or_says_not_supported_yet():
    for name in (n for n in dir(keras.ops) if not n.startswith("_")):
        assert name in keras_names.KERAS_NAMES["ops"], f"add {name!r} to webgrad.keras_names"
        try:
            getattr(wg.ops, name)
        except NotImplementedError as e:
            assert "not supported yet" in str(e)
    with pytest.raises(NotImplementedError, match=r"webgrad.ops.sort \(keras.ops.sort\) is not supported yet"):
        wg.ops.sort(M)
    with pytest.raises(AttributeError):
        wg.ops.no_such_op  # noqa: B018
    assert len(wg.ops.__all__) >= 100


# ---- symbolic tensors: the shapes Keras infers ----------------------------------------------------------

SYMBOLIC = [
    ("reshape", (X, (-1, 4)), {}), ("expand_dims", (X, 0), {}), ("expand_dims", (X, -1), {}),
    ("squeeze", (X[:, :1], 1), {}), ("transpose", (X,), {}), ("moveaxis", (X, 0, -1), {}),
    ("concatenate", ([X, X],), {"axis": -1}), ("stack", ([X, X],), {"axis": 1}), ("split", (X, 2), {"axis": 2}),
    ("take", (X, LABELS[:2]), {"axis": 2}), ("one_hot", (LABELS[None].repeat(2, 0),), {"num_classes": 5}),
    ("matmul", (X, N), {}), ("mean", (X, -1), {}), ("var", (X, (1, 2)), {}), ("argmax", (X, -1), {}),
    ("logsumexp", (X, -1), {}), ("ones_like", (X,), {}), ("full_like", (X, 2.0), {}),
    ("softplus", (X,), {}), ("gelu", (X,), {}), ("clip", (X, 0, 1), {}), ("power", (X, 3), {}),
    ("conv", (IMG, rng.normal(size=(3, 3, 3, 4)).astype(np.float32)), {"padding": "same"}),
    ("max_pool", (SEQ, (2,)), {"strides": (2,)}), ("cumsum", (X, -1), {}), ("normalize", (X,), {}),
    ("pad", (X, ((0, 0), (1, 2), (0, 1))), {}), ("pad", (X, ((1, 0), (0, 0), (0, 0))), {}),
    ("tile", (X, (1, 2, 1)), {}), ("layer_normalization", (X,), {}), ("tensordot", (X, N), {"axes": 1}),
    ("broadcast_to", (V, (3, 4)), {}), ("get_item", (X, (slice(None), 0)), {}),
    ("get_item", (X, (Ellipsis, None, 1)), {}), ("roll", (X, 1), {"axis": 1}), ("rot90", (X, 1, (1, 2)), {}),
    ("depth_to_space", (rng.normal(size=(2, 2, 3, 8)).astype(np.float32), 2), {}), ("space_to_depth", (IMG, 2), {}),
]


@pytest.mark.parametrize("name,args,kwargs", SYMBOLIC, ids=[f"{c[0]}-{i}" for i, c in enumerate(SYMBOLIC)])
def test_symbolic_batch_gives_keras_s_shape(name, args, kwargs):
    """The first argument (or list) as symbolic tensors with an unknown batch: the output shapes are
    Keras's with the batch unknown, and the dtypes Keras's."""
    def symbolic(a):
        a = np.asarray(a)
        return SymbolicTensor((None, *a.shape[1:]), str(wg.ops.convert_to_tensor(a).dtype))

    first = [symbolic(a) for a in args[0]] if isinstance(args[0], list) else symbolic(args[0])
    kfirst = ([keras.KerasTensor((None, *np.shape(a)[1:]), str(np.asarray(a).dtype)) for a in args[0]]
              if isinstance(args[0], list) else keras.KerasTensor((None, *np.shape(args[0])[1:]),
                                                                 str(np.asarray(args[0]).dtype)))
    got = _flat(getattr(wg.ops, name)(first, *args[1:], **kwargs))
    want = _flat(getattr(keras.ops, name)(kfirst, *args[1:], **kwargs))
    assert [tuple(t.shape) for t in got] == [tuple(t.shape) for t in want]
    assert [str(t.dtype) for t in got] == [str(t.dtype) for t in want]


# ---- gradients ------------------------------------------------------------------------------------------

GRADS = [
    ("square", lambda o, x: o.sum(o.square(x))),
    ("abs", lambda o, x: o.sum(o.multiply(o.abs(x), o.reshape(o.arange(12.0), (3, 4))))),
    ("logsumexp", lambda o, x: o.sum(o.logsumexp(x, axis=1))),
    ("softplus", lambda o, x: o.sum(o.softplus(x))),
    ("var", lambda o, x: o.sum(o.var(x, axis=0))),
    ("power", lambda o, x: o.sum(o.power(x, 3))),
    ("cumsum", lambda o, x: o.sum(o.multiply(o.cumsum(x, axis=1), x))),
    ("where", lambda o, x: o.sum(o.where(MASK, o.exp(x), o.square(x)))),
    ("elu", lambda o, x: o.sum(o.elu(x))),
    ("matmul", lambda o, x: o.sum(o.square(o.matmul(x, N)))),
    ("categorical_crossentropy", lambda o, x: o.sum(o.categorical_crossentropy(PROBS, x, from_logits=True))),
    ("dot_product_attention", lambda o, x: o.sum(o.square(o.dot_product_attention(
        *[o.reshape(x, (1, 3, 1, 4))] * 3, is_causal=True)))),
    ("layer_normalization", lambda o, x: o.sum(o.multiply(o.square(o.layer_normalization(x)), V))),
    ("pad", lambda o, x: o.sum(o.multiply(o.pad(x, ((1, 0), (0, 2))), o.reshape(o.arange(24.0), (4, 6))))),
    ("tensordot", lambda o, x: o.sum(o.square(o.tensordot(x, N, axes=1)))),
]


@pytest.mark.parametrize("name,loss", GRADS, ids=[g[0] for g in GRADS])
def test_gradients_match_jax(name, loss):
    import jax

    want = jax.grad(lambda x: loss(keras.ops, x))(M)
    x = Tensor(M.copy(), requires_grad=True)
    (got,) = autodiff.gradients(loss(wg.ops, x), [x])
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-4, atol=1e-5)


# ---- export -------------------------------------------------------------------------------------------


class Scaled(wg.layers.Layer):
    """A custom layer written with wg.ops only: a normalized, gated projection."""

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 6), initializer="glorot_uniform", name="kernel")

    def call(self, x):
        h = wg.ops.matmul(x, self.kernel)
        centered = wg.ops.subtract(h, wg.ops.mean(h, axis=-1, keepdims=True))
        h = wg.ops.divide(centered, wg.ops.sqrt(wg.ops.add(wg.ops.var(h, axis=-1, keepdims=True), 1e-3)))
        h = wg.ops.multiply(h, wg.ops.sigmoid(h)) + wg.ops.ones_like(h)
        h = wg.ops.concatenate([h, wg.ops.square(wg.ops.clip(h, -1.0, 1.0))], axis=-1)
        return wg.ops.log_softmax(h)


def test_custom_layer_with_wg_ops_exports_and_runs_like_predict(tmp_path):
    wg.set_seed(0)
    model = wg.Sequential([wg.Input((5,)), Scaled(name="scaled"), wg.layers.Dense(3, activation="softmax")])
    x = np.random.default_rng(1).normal(size=(8, 5)).astype(np.float32)
    wg.export(model, tmp_path / "b", verbose=0)
    np.testing.assert_allclose(load_bundle(tmp_path / "b").predict(x), model.predict(x, verbose=0), atol=1e-5)


class CausalSelfAttention(wg.layers.Layer):
    """Self-attention over (batch, time, 8) written with wg.ops: projections, two heads, causal mask."""

    def build(self, input_shape):
        self.wq = self.add_weight(shape=(8, 8), initializer="glorot_uniform", name="wq")
        self.wv = self.add_weight(shape=(8, 8), initializer="glorot_uniform", name="wv")

    def call(self, x):
        heads = lambda t: wg.ops.reshape(t, (-1, 5, 2, 4))  # noqa: E731
        q, v = heads(wg.ops.matmul(x, self.wq)), heads(wg.ops.matmul(x, self.wv))
        y = wg.ops.reshape(wg.ops.dot_product_attention(q, q, v, is_causal=True), (-1, 5, 8))
        y = wg.ops.layer_normalization(wg.ops.add(x, y))
        y = wg.ops.pad(y, ((0, 0), (1, 0), (0, 0)))
        return wg.ops.concatenate([wg.ops.mean(y, axis=1), wg.ops.max(y, axis=1)], axis=-1)


def test_attention_layer_with_wg_ops_exports_and_runs_like_predict(tmp_path):
    wg.set_seed(0)
    model = wg.Sequential([wg.Input((5, 8)), CausalSelfAttention(name="attn"), wg.layers.Dense(2)])
    x = np.random.default_rng(2).normal(size=(4, 5, 8)).astype(np.float32)
    wg.export(model, tmp_path / "b", verbose=0)
    np.testing.assert_allclose(load_bundle(tmp_path / "b").predict(x), model.predict(x, verbose=0), atol=1e-5)


# ---- comparisons, logic and the exact where -------------------------------------------------------------

COMPARISONS = [(M, V), (Z, 0), (Z, 1.5), (M, Z), (Z, Z.T[:1, :3].T), (NAN_M, M), (M, 0.0), (2, Z)]


@pytest.mark.parametrize("name", ["equal", "not_equal", "greater", "greater_equal", "less", "less_equal"])
def test_comparisons_are_keras_s_as_float32_masks(name):
    """Keras returns bool; wg.ops the float32 mask with the same truth values (NaN: IEEE-754)."""
    for args in COMPARISONS:
        want = np.asarray(getattr(keras.ops, name)(*args))
        got = getattr(wg.ops, name)(*args)
        assert got.dtype == "float32" and want.dtype == np.bool_, (name, args)
        np.testing.assert_array_equal(got.numpy(), want.astype(np.float32), err_msg=name)


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops_take_masks_and_bools_like_keras(name):
    mask = (M > 0).astype(np.float32)
    for args in [(MASK, M > 0), (mask, MASK), (M, Z), (NAN_M, mask)]:
        want = np.asarray(getattr(keras.ops, name)(*args))
        np.testing.assert_array_equal(getattr(wg.ops, name)(*args).numpy(), want.astype(np.float32), err_msg=name)
    np.testing.assert_array_equal(wg.ops.logical_not(mask).numpy(), np.asarray(keras.ops.logical_not(mask)))


def test_where_is_an_exact_select():
    """Inf and NaN in the branch not taken never leak (the arithmetic where gave NaN for 0 * inf)."""
    x = np.array([np.inf, 1.0, -2.0, np.nan], np.float32)
    for cond in (x > 0, wg.ops.greater(x, 0.0)):
        got = wg.ops.where(cond, x, 0.0).numpy()
        np.testing.assert_array_equal(got, np.asarray(keras.ops.where(x > 0, x, 0.0)))
    got = wg.ops.where(wg.ops.greater(M, 0), wg.ops.log(M), M).numpy()  # log(M < 0) = NaN, never taken
    np.testing.assert_allclose(got, np.asarray(keras.ops.where(M > 0, keras.ops.log(M), M)), rtol=1e-6)
    assert not np.isnan(got).any()


def test_where_and_abs_gradients_at_the_edges():
    """where's gradient is g on the selected side only (1/x at 0 included), as JAX's. abs has gradient
    g * sign(x), 0 at 0 as numpy's sign and TensorFlow's (the old maximum(x, -x) gave 1, as JAX does)."""
    import jax

    x0 = np.array([0.0, -1.5, 2.0, 0.0], np.float32)
    w = np.arange(4.0, dtype=np.float32)
    picked = lambda o, x: o.sum(o.where(o.greater(x, 0.0), o.multiply(x, 3.0), o.divide(1.0, x)))  # noqa: E731
    want = jax.grad(lambda x: picked(keras.ops, x))(x0)
    t = Tensor(x0.copy(), requires_grad=True)
    (got,) = autodiff.gradients(picked(wg.ops, t), [t])
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)
    (got,) = autodiff.gradients(wg.ops.sum(wg.ops.multiply(wg.ops.abs(t), w)), [t])
    np.testing.assert_array_equal(np.asarray(got), np.sign(x0) * w)


def test_masks_on_symbolic_tensors_and_cast_to_bool():
    x = SymbolicTensor((None, 4), "float32")
    m = wg.ops.greater(x, 0.0)
    assert (m.shape, m.dtype) == ((None, 4), "float32")
    assert wg.ops.where(m, x, wg.ops.negative(x)).shape == (None, 4)
    assert wg.ops.cast(m, "bool").dtype == "float32"  # a bool in a graph is a mask
    np.testing.assert_array_equal(wg.ops.cast(wg.ops.greater(M, 0.0), "bool").numpy(), M > 0)


class Masked(wg.layers.Layer):
    """|x| where x > 0.5, else x / 10 (Greater, Where, Abs)."""

    def call(self, x):
        return wg.ops.where(wg.ops.logical_and(wg.ops.greater(x, 0.5), wg.ops.less(x, 3.0)), wg.ops.abs(x),
                            wg.ops.divide(x, 10.0))


def test_a_layer_with_masks_exports_and_runs_like_predict(tmp_path):
    model = wg.Sequential([wg.Input((4,)), Masked(name="masked"), wg.layers.Dense(2)])
    x = np.random.default_rng(3).normal(size=(6, 4)).astype(np.float32) * 2
    wg.export(model, tmp_path / "b", verbose=0)
    np.testing.assert_allclose(load_bundle(tmp_path / "b").predict(x), model.predict(x, verbose=0), atol=1e-6)

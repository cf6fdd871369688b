"""The Keras 3 layer contract (issue 14, item 1): tracking of sub-layers and weights assigned as
attributes, ``training`` reaching sub-layer calls, ``add_weight`` with Keras's arguments, lazy build,
input casting, configs and the registry, merge functions, ``input_shape=`` on a first layer.

Where practical the same custom layer runs under ``keras`` (JAX backend) and webgrad and is compared."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import webgrad as wg
from webgrad import serialization


def _block_class(lib):
    """A transformer-style block: sub-layers as attributes, in a list and in a dict (as in Keras guides)."""
    L = lib.layers

    class Block(L.Layer):
        def __init__(self, units=8, rate=0.5, **kwargs):
            super().__init__(**kwargs)
            self.ffn = [L.Dense(units, activation="relu"), L.Dense(units)]
            self.norms = {"a": L.LayerNormalization(), "b": L.LayerNormalization()}
            self.proj = L.Dense(units)
            self.dropout = L.Dropout(rate)

        def call(self, x, training=None):
            h = self.norms["a"](x + self.dropout(self.proj(x)))
            return self.norms["b"](h + self.ffn[1](self.ffn[0](h)))

    return Block


def _model(lib, block):
    inp = lib.Input((8,))
    return lib.Model(inp, lib.layers.Dense(2)(block(inp)))


def test_sub_layers_in_attributes_lists_and_dicts_are_tracked_like_keras():
    keras = pytest.importorskip("keras")
    km = _model(keras, _block_class(keras)())
    wm = _model(wg, _block_class(wg)())
    assert len(wm.trainable_weights) == len(km.trainable_weights) == 12  # old webgrad: 2 (the outer Dense)
    assert sorted(tuple(w.shape) for w in wm.weights) == sorted(tuple(w.shape) for w in km.weights)
    assert len(wm.non_trainable_weights) == len(km.non_trainable_weights) == 0


@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_fit_trains_the_sub_layers_of_a_custom_layer(backend):
    if backend == "jax":
        pytest.importorskip("jax")
    wg.set_seed(0)
    block = _block_class(wg)(rate=0.0)
    model = _model(wg, block)
    before = [w.copy() for w in block.get_weights()]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", backend=backend)
    x = np.random.default_rng(0).normal(size=(32, 8)).astype("float32")
    model.fit(x, (x[:, 0] > 0).astype("int32"), epochs=1, batch_size=16, verbose=0)
    changed = [not np.array_equal(a, b) for a, b in zip(before, block.get_weights(), strict=True)]
    assert len(changed) == 10 and all(changed)


def test_trainable_false_on_a_parent_freezes_its_children():
    block = _block_class(wg)()
    model = _model(wg, block)
    block.trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 10
    assert not block.ffn[0].trainable and block.ffn[0].trainable_weights == []
    block.trainable = True
    assert len(model.trainable_weights) == 12


def test_get_set_weights_cover_sub_layers_in_order():
    block = _block_class(wg)()
    block(np.ones((1, 8), np.float32))
    names = [w.name.split("/")[1] for w in block.weights]
    assert names == ["kernel", "bias", "kernel", "bias", "gamma", "beta", "gamma", "beta", "kernel", "bias"]
    values = [np.full(w.shape, i, np.float32) for i, w in enumerate(block.weights)]
    block.set_weights(values)
    assert all(np.array_equal(a, b) for a, b in zip(block.get_weights(), values, strict=True))


class _DropBlock(wg.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.drop = wg.layers.Dropout(0.5, seed=1)

    def call(self, x, training=None):
        return self.drop(x)  # no explicit training: it comes from the enclosing call


def test_training_reaches_a_dropout_inside_a_custom_block():
    inp = wg.Input((64,))
    model = wg.Model(inp, _DropBlock()(inp))
    x = np.ones((4, 64), np.float32)
    assert np.array_equal(np.asarray(model(x)), x) and np.array_equal(model.predict(x, verbose=0), x)
    y = np.asarray(model(x, training=True))
    assert (y == 0).any() and set(np.unique(y)) <= {0.0, 2.0}  # old webgrad: never drops


def test_training_reaches_a_dropout_during_fit():
    seen = []

    class Spy(wg.layers.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    class Outer(wg.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.spy, self.dense = Spy(), wg.layers.Dense(1)

        def call(self, x):  # declares no training: it still reaches the sub-layers
            return self.dense(self.spy(x))

    inp = wg.Input((3,))
    model = wg.Model(inp, Outer()(inp))
    model.compile(optimizer="sgd", loss="mse")
    seen.clear()
    model.fit(np.ones((4, 3), np.float32), np.ones((4, 1), np.float32), epochs=1, verbose=0)
    assert seen and all(t is True for t in seen)
    seen.clear()
    model.predict(np.ones((2, 3), np.float32), verbose=0)
    assert seen and all(t is False for t in seen)


def test_training_and_mask_are_passed_only_if_call_declares_them():
    class Plain(wg.layers.Layer):
        def call(self, x):
            return x * 2.0

    class WithMask(wg.layers.Layer):
        def call(self, x, mask=None):
            return x if mask is None else x * np.float32(mask)

    x = np.ones((2, 3), np.float32)
    assert np.array_equal(np.asarray(Plain()(x, training=True)), 2 * x)
    assert np.array_equal(np.asarray(WithMask()(x, mask=np.zeros((2, 3)))), 0 * x)
    inp = wg.Input((3,))
    model = wg.Model(inp, Plain()(inp))
    assert np.array_equal(np.asarray(model(x, training=True)), 2 * x)


def test_add_weight_takes_keras_arguments_and_initializers():
    class Scale(wg.layers.Layer):
        def build(self, input_shape):
            self.a = self.add_weight(shape=(input_shape[-1],), initializer="ones")
            self.b = self.add_weight(shape=(2,), initializer=lambda shape, dtype=None: np.full(shape, 3.0, dtype))
            self.c = self.add_weight((2,), "zeros", trainable=False, name="c")
            self.d = self.add_weight(shape=(3, 2))  # Keras's default: glorot_uniform

        def call(self, x):
            return x * self.a

    layer = Scale(name="scale")
    layer(np.ones((1, 4), np.float32))
    assert [w.name for w in layer.weights] == ["scale/variable", "scale/variable_1", "scale/variable_2",
                                               "scale/c"]
    assert np.array_equal(layer.b.numpy(), [3.0, 3.0]) and not layer.c.trainable
    assert len(layer.trainable_weights) == 3 and np.abs(layer.d.numpy()).max() > 0


def test_a_bad_initializer_names_the_layer_and_the_weight():
    class Bad(wg.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,), initializer="no_such_initializer", name="w")

        def call(self, x):
            return x

    with pytest.raises(ValueError, match=r"layer 'bad_one' \(Bad\), weight 'w'.*no_such_initializer"):
        Bad(name="bad_one")(np.ones((1, 2), np.float32))

    class KerasStyle(wg.layers.Layer):  # old webgrad passed its generator as the dtype here
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,), initializer=lambda shape, dtype=None: np.ones(shape, dtype=dtype))

        def call(self, x):
            return x * self.w

    assert np.array_equal(KerasStyle()(np.ones((1, 2), np.float32)).numpy(), [[1.0, 1.0]])


def test_build_is_lazy_and_may_create_nothing_or_take_no_shape():
    shapes = []

    class Recorder(wg.layers.Layer):
        def build(self, input_shape):
            shapes.append(input_shape)

        def call(self, x):
            return x

    class NoShape(wg.layers.Layer):
        def build(self):
            self.w = self.add_weight(shape=(1,), initializer="ones")

        def call(self, x):
            return x * self.w

    r = Recorder()
    assert not r.built
    r(wg.Input((5,)))
    r(np.ones((2, 5), np.float32))
    assert r.built and shapes == [(None, 5)]
    assert NoShape()(np.ones((2, 1), np.float32)).shape == (2, 1)


def test_eager_calls_cast_numpy_inputs_as_keras():
    dense = wg.layers.Dense(2)
    assert dense(np.ones((2, 3))).dtype == "float32"  # float64 in
    assert dense(np.ones((2, 3), np.int64)).dtype == "float32"
    assert dense([[1.0, 2.0, 3.0]]).shape == (1, 2)
    emb = wg.layers.Embedding(5, 2)
    assert emb(np.array([[1, 4]], np.int64)).shape == (1, 2, 2)


class Scaled(wg.layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * np.float32(self.factor)


def test_config_round_trip_with_custom_objects_and_registry():
    inp = wg.Input((3,))
    model = wg.Model(inp, Scaled(3.0, name="scaled")(inp))
    config = model.get_config()
    assert config["layers"][1]["config"]["factor"] == 3.0  # Keras's auto config of __init__ arguments
    clone = wg.Model.from_config(config, custom_objects={"Scaled": Scaled})
    assert np.allclose(clone.predict(np.ones((1, 3)), verbose=0), 3.0)

    @serialization.register_keras_serializable(package="Tests")
    class Registered(Scaled):
        pass

    model = wg.Model(inp, Registered(4.0)(inp))
    spec = {"class_name": "Model", "config": model.get_config()}
    assert spec["config"]["layers"][1]["registered_name"] == "Tests>Registered"
    assert serialization.get_registered_object("Tests>Registered") is Registered
    assert "Tests>Registered" in serialization.get_custom_objects()
    assert np.allclose(wg.models.model_from_config(spec).predict(np.ones((1, 3)), verbose=0), 4.0)


def test_an_unknown_class_name_suggests_registering_it():
    spec = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "NeverDefinedLayer", "config": {"name": "x"}}]}}
    with pytest.raises(ValueError, match=r"NeverDefinedLayer.*register_keras_serializable.*custom_objects"):
        wg.models.model_from_config(spec)


def test_merge_functions_and_layers_match_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    a, b, c = (rng.normal(size=(2, 3)).astype("float32") for _ in range(3))
    for name in ("add", "multiply", "average", "maximum", "minimum", "concatenate"):
        want = np.asarray(getattr(keras.layers, name)([a, b, c]))
        got = getattr(wg.layers, name)([a, b, c]).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=name)
    np.testing.assert_allclose(wg.layers.subtract([a, b]).numpy(), np.asarray(keras.layers.subtract([a, b])))
    x, y = wg.Input((3,)), wg.Input((3,))
    assert wg.layers.Subtract()([x, y]).shape == (None, 3)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        wg.layers.Subtract()([a, b, c])


def test_input_shape_on_a_first_layer_pop_and_layer_output():
    model = wg.Sequential([wg.layers.Flatten(input_shape=(28, 28)), wg.layers.Dense(8), wg.layers.Dense(2)])
    assert model.built and model.input_shapes == [(None, 28, 28)] and model.output_shapes == [(None, 2)]
    assert model.layers[1].output.shape == (None, 8) and model.layers[1].input.shape == (None, 784)
    popped = model.pop()
    assert popped.units == 2 and model.output_shapes == [(None, 8)]
    assert wg.Sequential([wg.layers.Dense(3, input_dim=5)]).input_shapes == [(None, 5)]
    dense = wg.layers.Dense(2)
    with pytest.raises(ValueError, match="never been called"):
        dense.output  # noqa: B018
    dense(wg.Input((3,)))
    dense(wg.Input((4,)) if False else wg.Input((3,)))
    with pytest.raises(ValueError, match="ambiguous"):
        dense.output  # noqa: B018


def test_custom_block_with_copied_weights_computes_what_keras_computes():
    keras = pytest.importorskip("keras")
    km = _model(keras, _block_class(keras)())
    wm = _model(wg, _block_class(wg)())
    assert [tuple(w.shape) for w in wm.weights] == [tuple(w.shape) for w in km.weights]  # same order
    wm.set_weights([np.asarray(w) for w in km.get_weights()])
    x = np.random.default_rng(3).normal(size=(5, 8)).astype("float32")
    np.testing.assert_allclose(wm.predict(x, verbose=0), km.predict(x, verbose=0), atol=1e-5)
